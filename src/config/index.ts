/*
 * Configuration: the directive table, CONFIG GET/SET/REWRITE, the config file and command line.
 */

export { type CommandLine, helpText, parseCommandLine, SHARDIS_VERSION, VERSION_TEXT } from "./cli.js";
export { Config, type FileDirective, isSensitiveConfig, type SetOptions } from "./config.js";
export { ConfigError, FatalConfigError, fatalConfigText, type LineRef, REDIS_VERSION } from "./errors.js";
export * from "./keyspace-events.js";
export { argsToConfigText, loadConfig } from "./load.js";
export {
  DIRECTIVES,
  type Directive,
  type DirectiveType,
  defaultShards,
  SHUTDOWN_FORCE,
  SHUTDOWN_NOSAVE,
  SHUTDOWN_NOW,
  SHUTDOWN_SAVE,
} from "./table.js";
