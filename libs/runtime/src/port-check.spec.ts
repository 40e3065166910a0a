import { createServer, type Server } from 'node:net';
import { portInUseMessage, portIsFree } from './port-check.js';

describe('portIsFree', () => {
  let taken: Server;
  let port: number;

  beforeEach(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterEach(() => new Promise<void>((resolve) => (taken.listening ? taken.close(() => resolve()) : resolve())));

  it('hardening 3: tells a taken port from a free one, and leaves the free one free', async () => {
    expect(await portIsFree(port, '127.0.0.1')).toBe(false);
    await new Promise<void>((resolve) => taken.close(() => resolve()));
    expect(await portIsFree(port, '127.0.0.1')).toBe(true);
    expect(await portIsFree(port, '127.0.0.1')).toBe(true);
  });

  it('hardening 3: names the port and the variable to change in one line', () => {
    expect(portInUseMessage(8080)).toBe('Ballast: port 8080 is in use; set BALLAST_PORT to another port');
  });
});
