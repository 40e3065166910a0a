import { z } from 'zod';
import { bool, brokers, durationMs, int, oneOf, port, url } from './env.fields.js';

function issue(schema: z.ZodType, raw: string): string | undefined {
  const result = schema.safeParse(raw);
  return result.success ? undefined : result.error.issues[0]?.message;
}

describe('environment field helpers', () => {
  it('parses ports, and rejects words and out-of-range numbers', () => {
    expect(port().parse(' 8080 ')).toBe(8080);
    expect(port().parse('0')).toBe(0);
    expect(issue(port(), '70000')).toBe('expected a port number 0-65535');
    expect(issue(port(), 'http')).toBe('expected a port number 0-65535');
  });

  it('splits broker lists and rejects entries without a port', () => {
    expect(brokers().parse('kafka-0:9092, kafka-1.internal:9093,[::1]:9094')).toEqual(['kafka-0:9092', 'kafka-1.internal:9093', '[::1]:9094']);
    expect(issue(brokers(), 'nope')).toBe('expected comma-separated host:port list');
    expect(issue(brokers(), 'kafka:9092,kafka2')).toBe('expected comma-separated host:port list');
    expect(issue(brokers(), 'kafka:0')).toBe('expected comma-separated host:port list');
  });

  it('accepts URLs, limited to the given protocols', () => {
    expect(url().parse('http://collector:4318')).toBe('http://collector:4318');
    expect(url({ protocols: ['postgres:', 'postgresql:'] }).parse('postgres://u@db:5432/ballast')).toBe('postgres://u@db:5432/ballast');
    expect(issue(url({ protocols: ['postgres:', 'postgresql:'] }), 'mysql://db/x')).toBe('expected a postgres: or postgresql: URL');
    expect(issue(url(), 'not a url')).toBe('expected an absolute URL');
  });

  it('reads true/false/1/0 as booleans and nothing else', () => {
    expect([bool().parse('true'), bool().parse('FALSE'), bool().parse('1'), bool().parse('0')]).toEqual([true, false, true, false]);
    expect(issue(bool(), 'yes')).toBe('expected true, false, 1 or 0');
  });

  it('bounds integers', () => {
    expect(int({ min: 1, max: 64 }).parse('16')).toBe(16);
    expect(issue(int({ min: 1, max: 64 }), '0')).toBe('expected an integer from 1 to 64');
    expect(issue(int({ min: 0 }), '2.5')).toBe('expected an integer >= 0');
  });

  it('converts durations to milliseconds', () => {
    expect([durationMs().parse('250'), durationMs().parse('250ms'), durationMs().parse('30s'), durationMs().parse('5m'), durationMs().parse('1h')]).toEqual([
      250, 250, 30_000, 300_000, 3_600_000,
    ]);
    expect(issue(durationMs(), '5 minutes')).toMatch(/^expected a duration such as 250ms/);
  });

  it('accepts only listed values', () => {
    expect(oneOf(['embedded', 'distributed']).parse('distributed')).toBe('distributed');
    expect(issue(oneOf(['embedded', 'distributed']), 'Embedded')).toBe('expected one of embedded, distributed');
  });
});
