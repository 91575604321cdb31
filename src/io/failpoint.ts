/**
 * Fail points for tests of interrupted runs (the technique of FreeBSD's fail(9) and TiKV's
 * fail-rs): when LANDCARBON_FAILPOINT names this point, the process announces it on stderr
 * (`failpoint <name>`) and waits there until it is killed, so a test's signal always lands at
 * exactly that point. Unset (always, outside tests) it costs one env lookup.
 */
export async function failpoint(name: string): Promise<void> {
  if (process.env.LANDCARBON_FAILPOINT !== name) return;
  process.stderr.write(`failpoint ${name}\n`);
  await new Promise<never>(() => setInterval(() => {}, 1 << 30));
}
