import { ingressConfig } from '../ingress.config.js';

describe('BALLAST_ADMIN_KEY', () => {
  it('is optional: unset, the admin API is off', () => {
    expect(ingressConfig.load({}).BALLAST_ADMIN_KEY).toBeUndefined();
  });

  it('refuses a short key at start-up without echoing it', () => {
    expect(() => ingressConfig.load({ BALLAST_ADMIN_KEY: 'hunter2' })).toThrow(/BALLAST_ADMIN_KEY.*at least 16 characters.*not shown/s);
    expect(() => ingressConfig.load({ BALLAST_ADMIN_KEY: 'hunter2' })).not.toThrow(/hunter2/);
  });
});
