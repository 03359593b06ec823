/* The README's command table is the one the command table generates (run `npm run readme`). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { updateReadme } from "../../src/tools/command-doc.js";

it("README.md lists exactly the commands of the command table", () => {
  const text = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
  expect(updateReadme(text)).toBe(text);
});
