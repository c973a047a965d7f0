import { defineRule, Rule } from "./rule";
import { pattern } from "./shapes";

/* Rules of this project's own settings: names it builds others from, state backends, the emulator. */

/**
 * Lowercase letters, digits and single inner hyphens, at most 12: ECR, ECS
 * and ELB names are built from it (`<name>-<environment>-<part>`, 32
 * characters at most for a load balancer).
 */
export function shortName(fix: string): Rule<string> {
  return pattern(
    "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,11}$",
    "1 to 12 lowercase letters, digits or single hyphens, starting with a letter and not ending with a hyphen",
    fix,
  );
}

/** The emulator is only ever addressed on loopback. */
export const EMULATOR_ENDPOINT = defineRule<string>({
  clauses: [
    {
      rule: "http://127.0.0.1:<port> with a port from 1 to 65535 (the emulator is only ever addressed on loopback)",
      fix: 'use for example "http://127.0.0.1:5000"',
      test: (url) => {
        const m = /^http:\/\/(127\.0\.0\.1|localhost):(\d{1,5})$/.exec(url);
        return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
      },
    },
  ],
});

/* HCP Terraform (Terraform Cloud) names. */
export const HOST_NAME = pattern("^[a-z0-9.-]+\\.[a-z]{2,}$", "a host name", 'use "app.terraform.io" or your Terraform Enterprise host');
export const HCP_ORGANIZATION = pattern("^[A-Za-z0-9_-]{1,40}$", "an organization name", "copy it from HCP Terraform");
export const HCP_WORKSPACE = pattern("^[A-Za-z0-9_-]{1,90}$", "a workspace name (letters, digits, - or _; at most 90)", "rename the workspace");
export const HCP_WORKSPACE_TAG = pattern("^[a-z0-9:_-]{1,255}$", "a lowercase tag", "lowercase the tag");
export const HCP_PROJECT = pattern(
  "^[A-Za-z0-9_-](?:[A-Za-z0-9 _-]{0,38}[A-Za-z0-9_-])?$",
  "a project name (1 to 40 letters, digits, spaces, - or _; no leading or trailing space)",
  "copy it from HCP Terraform",
);
