/**
 * Where a test starts a program: this machine's loopback (the default everywhere), or one of the
 * "hosts" of a test network (network-hosts.ts), each its own network namespace and address.
 */
export interface TestHost {
  /** The address its programs listen on, and are reached at from the test runner. */
  readonly address: string;
  /** `[file, args]` that runs `argv` there: `spawn(...host.command(['redis-server', …]))`. */
  command(argv: string[]): [string, string[]];
}

export const LOOPBACK_HOST: TestHost = {
  address: '127.0.0.1',
  command: ([file, ...args]) => {
    if (!file) throw new Error('no program to run');
    return [file, args];
  },
};
