/*
 * redis-server's command line (server.c, main()): an optional config file, then `--name value`
 * flags that become config lines appended after the file, so the last value wins.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { Config } from "./config.js";
import { FatalConfigError } from "./errors.js";
import { asciiLower, repr, splitArgs, strerror, toByteString } from "./parse.js";

/**
 * Turn the flags into config-file text, as main() does:
 *  1. `--name` starts a line `name ` (the flag is copied raw, so `"--port 6380"` as one
 *     argument works too); every other argument is appended quoted (`"value" `).
 *  2. After a flag with no value inside it, the next argument is always its value, even if it
 *     starts with `--`; after that, an argument starting with `--` starts a new line.
 *  3. `--save` followed by another flag, or last, means `save ""` (no RDB snapshots).
 *  4. `-` as the first or last argument means "also read the config from stdin" (with a
 *     config file, only as the last one).
 */
export function argsToConfigText(
  args: readonly string[],
  afterConfigFile = false,
): { options: string; stdin: boolean } {
  let options = "";
  let stdin = false;
  let handledLastConfigArg = true;
  for (let j = 0; j < args.length; j++) {
    const a = args[j];
    const last = j === args.length - 1;
    if (a === "-" && ((j === 0 && !afterConfigFile) || last)) {
      stdin = true;
    } else if (handledLastConfigArg && a.startsWith("--")) {
      if (options.length > 0) options += "\n";
      options += `${a.slice(2)} `;
      const words = splitArgs(a) ?? [];
      if (words.length === 1) {
        // Only a name, like "--port": its value is the next argument.
        handledLastConfigArg = false;
        const name = asciiLower(a);
        const nextIsFlag = !last && args[j + 1].startsWith("--");
        if (name === "--save" && nextIsFlag) {
          options += '""';
          handledLastConfigArg = true;
        } else if (name === "--save" && last) {
          options += '""';
        } else if (name === "--sentinel" && nextIsFlag) {
          handledLastConfigArg = true;
        }
      } else {
        // Name and value in one argument ("--port 6380").
        handledLastConfigArg = true;
      }
    } else {
      options += `${repr(a)} `;
      handledLastConfigArg = true;
    }
  }
  return { options, stdin };
}

/**
 * Build the configuration from redis-server's argv (without node and the script): an optional
 * config file path first (an argument not starting with "-"), then `--directive value...`
 * flags and/or `-` for stdin. Throws FatalConfigError exactly as redis-server would exit.
 */
export function loadConfig(args: string[], readStdin: () => string = () => fs.readFileSync(0, "latin1")): Config {
  const config = new Config();
  if (args.length === 0) return config;

  let rest = args;
  if (!args[0].startsWith("-")) {
    config.configFile = path.resolve(args[0]);
    rest = args.slice(1);
  }
  // main() takes "-" as stdin when it is argv[1] or the last argument; with a config file,
  // argv[1] is the file.
  const { options, stdin } = argsToConfigText(rest.map(toByteString), config.configFile !== undefined);

  let text = "";
  if (config.configFile !== undefined) text += config.readConfigFiles(toByteString(config.configFile));
  if (stdin) {
    try {
      text += readStdin();
    } catch (e) {
      throw new FatalConfigError(`Fatal error, can't read config from stdin: ${strerror(e)}`, true);
    }
  }
  text += `\n${options}`;
  config.loadFromString(text, { saveLoaded: false });
  if (config.moduleConfigs.length > 0) {
    // Redis gets this far into startup before noticing that no module took these configs.
    throw new FatalConfigError(
      "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting",
      true,
    );
  }
  return config;
}
