/**
 * ssh's reason for failing, in a few words (pure). ssh prints its own errors on stderr and exits
 * 255; the last matching line is the one that says why (earlier ones are warnings such as
 * "Permanently added … to the list of known hosts").
 */
const REASONS: readonly [RegExp, (m: RegExpMatchArray) => string][] = [
  [/connection refused/i, () => "connection refused"],
  [/(connection|operation) timed out|timeout, server .* not responding|banner exchange: .*timed out/i, () => "timed out"],
  [/permission denied \(([^)]*)\)/i, (m) => `permission denied (${m[1]})`],
  [/permission denied/i, () => "permission denied"],
  [/remote host identification has changed/i, () => "host key changed (see ~/.ssh/known_hosts)"],
  [/host key verification failed/i, () => "host key verification failed"],
  [/could not resolve hostname|name or service not known|nodename nor servname/i, () => "could not resolve the host name"],
  [/no route to host/i, () => "no route to host"],
  [/network is unreachable/i, () => "network is unreachable"],
  [/connection reset/i, () => "connection reset"],
  [/kex_exchange_identification|connection closed by|closed by remote host|broken pipe/i, () => "connection closed"],
  [/bad configuration option|configuration file|bad owner or permissions/i, (m) => `ssh configuration: ${m.input?.trim() ?? ""}`],
  [/too many authentication failures/i, () => "too many authentication failures"],
];

export function sshGist(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  for (const [re, say] of REASONS) {
    for (let i = lines.length - 1; i >= 0; i--) {
      const m = (lines[i] as string).match(re);
      if (m) return say(m);
    }
  }
  const last = lines.at(-1);
  if (!last) return "ssh failed (exit 255, no message)";
  const text = last.replace(/^ssh: /, "");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
