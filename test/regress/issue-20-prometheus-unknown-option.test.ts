// Regression (issue 20): startPrometheus() and prometheusHandler() reject `meterProvider` (they bring
// their own), but the message for any unknown option listed `meterProvider` among the known ones,
// so a user who read it and passed one got a second refusal.
import { describe, expect, it } from 'vitest';
import { MemsizeError } from '../../src/errors.js';
import { prometheusHandler, startPrometheus } from '../../src/prometheus.js';

function messageOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(MemsizeError);
    expect((error as MemsizeError).code).toBe('ERR_MEMSIZE_INVALID_OPTION');
    return (error as MemsizeError).message;
  }
  throw new Error('expected a MemsizeError');
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MemsizeError);
  expect((error as MemsizeError).code).toBe('ERR_MEMSIZE_INVALID_OPTION');
  return (error as MemsizeError).message;
}

describe('regression: the options an unknown-option error lists', () => {
  it('startPrometheus() names the bad key and lists its real options, without meterProvider', async () => {
    const message = await rejection(startPrometheus({ prot: 9464 } as never));
    expect(message).toMatch(/^startPrometheus\(\): options\.prot is not an option \(known: /);
    const known = /\(known: ([^)]*)\)/.exec(message)![1]!.split(', ');
    expect(known).toEqual(expect.arrayContaining(['maxObjects', 'port', 'host', 'endpoint']));
    expect(known).not.toContain('meterProvider');
  });

  it('prometheusHandler() does the same, and lists no listening option either', () => {
    const message = messageOf(() => prometheusHandler({ maxObject: 1 } as never));
    const known = /\(known: ([^)]*)\)/.exec(message)![1]!.split(', ');
    expect(known).toContain('maxObjects');
    expect(known).not.toContain('meterProvider');
    expect(known).not.toContain('port');
  });

  it('meterProvider itself still gets its own explanation', async () => {
    expect(await rejection(startPrometheus({ meterProvider: null } as never))).toMatch(/meterProvider is not an option \(it creates its own MeterProvider/);
  });
});
