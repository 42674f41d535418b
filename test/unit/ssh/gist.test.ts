import { describe, expect, it } from "vitest";
import { sshGist } from "../../../src/ssh/gist.js";

describe("sshGist", () => {
  it.each([
    ["ssh: connect to host gpu.example port 22: Connection refused\r\n", "connection refused"],
    ["ssh: connect to host 10.0.0.9 port 22: Connection timed out\n", "timed out"],
    ["Connection timed out during banner exchange\nConnection to 127.0.0.1 port 2222 timed out\n", "timed out"],
    ["ssh: connect to host x port 22: Operation timed out\n", "timed out"],
    [
      "Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts.\nroot@127.0.0.1: Permission denied (publickey).\n",
      "permission denied (publickey)",
    ],
    ["bob@gpu: Permission denied (publickey,password).\n", "permission denied (publickey,password)"],
    [
      "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.\n",
      "host key verification failed",
    ],
    ["@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.\n", "host key changed (see ~/.ssh/known_hosts)"],
    ["ssh: Could not resolve hostname gpu.invalid: Name or service not known\n", "could not resolve the host name"],
    ["ssh: connect to host 10.1.1.1 port 22: No route to host\n", "no route to host"],
    ["ssh: connect to host 10.1.1.1 port 22: Network is unreachable\n", "network is unreachable"],
    ["kex_exchange_identification: read: Connection reset by peer\n", "connection reset"],
    ["kex_exchange_identification: Connection closed by remote host\nConnection closed by 127.0.0.1 port 2222\n", "connection closed"],
    ["Received disconnect from 1.2.3.4 port 22:2: Too many authentication failures\n", "too many authentication failures"],
    ["/home/u/.ssh/config: line 3: Bad configuration option: bogus\n", "ssh configuration: /home/u/.ssh/config: line 3: Bad configuration option: bogus"],
    ["ssh: something new went wrong\n", "something new went wrong"],
    ["", "ssh failed (exit 255, no message)"],
  ])("%j → %s", (stderr, gist) => {
    expect(sshGist(stderr)).toBe(gist);
  });
});
