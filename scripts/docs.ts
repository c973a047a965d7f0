/**
 * `npm run docs`: regenerates the README's settings table (from the schema
 * and cdktf.json) and guardrail rules table (from the rule registry).
 */
import * as fs from "fs";
import * as path from "path";
import { readCdktfContext } from "../stacks/config";
import { replaceSection, rulesTable, settingsTable } from "../stacks/docs";
import { PROJECT_DIR } from "../stacks/paths";

const readme = path.join(PROJECT_DIR, "README.md");
let text = fs.readFileSync(readme, "utf8");
text = replaceSection(text, "settings", settingsTable(readCdktfContext(PROJECT_DIR).settings));
text = replaceSection(text, "rules", rulesTable());
fs.writeFileSync(readme, text);
console.log("README.md: settings and rules tables regenerated");
