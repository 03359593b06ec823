/* `npm run readme`: regenerates the supported-command table in README.md. */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { updateReadme } from "./command-doc.js";

const path = fileURLToPath(new URL("../../../README.md", import.meta.url));
writeFileSync(path, updateReadme(readFileSync(path, "utf8")));
