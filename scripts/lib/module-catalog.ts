import * as path from "path";

/** The module stacks, each committed as modules/<name>/ (also their registry names, provider aws). */
export const MODULE_NAMES = ["websocket-nlb", "websocket-alb"] as const;

/** Folder of the committed contract records (interface records and address lists). */
export const CONTRACTS_DIR = path.join("__tests__", "contracts");

/** Paths relative to the project folder. */
export const moduleDir = (name: string) => path.join("modules", name);
export const interfaceRecordPath = (name: string) => path.join(CONTRACTS_DIR, `${name}.interface.json`);
export const addressListPath = (stack: string) => path.join(CONTRACTS_DIR, `${stack}.addresses.txt`);
