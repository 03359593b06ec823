/*
 * The README's first command: `./run.sh` starts the server with redis-server's command
 * line, prints Redis-format log lines ending in "Ready to accept connections", serves, and
 * shuts down cleanly on SIGTERM.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { RawClient } from "../helpers/resp.js";
import { freePort } from "../helpers/servers.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));

it("./run.sh starts, serves, and exits 0 on SIGTERM with Redis's last log line", async () => {
  const port = await freePort();
  const child = spawn(
    "./run.sh",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--loglevel", "notice"],
    {
      cwd: repo,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60000;
    while (!out.includes("Ready to accept connections") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).toMatch(
      /^\d+:C \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo$/m,
    );
    expect(out).toMatch(/^\d+:M .* \* Ready to accept connections$/m);
    const c = await RawClient.connect(port);
    expect((await c.command("PING")).toString()).toBe("+PONG\r\n");
    c.close();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toMatch(/^\d+:signal-handler \(\d+\) Received SIGTERM scheduling shutdown\.\.\.$/m);
    expect(out).toMatch(/# User requested shutdown\.\.\.\n/);
    expect(out).toMatch(/# Redis is now ready to exit, bye bye\.\.\.\n$/);
  } finally {
    child.kill("SIGKILL");
  }
});
