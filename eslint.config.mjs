// ESLint (flat config), run by `npm run lint` with --max-warnings 0 (docs/testing.md).
// typescript-eslint's recommended rules, not its type-checked preset: that one
// builds a TypeScript program for the lint and is several times slower;
// `npm run typecheck` already runs the compiler.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // Generated, downloaded or scratch: never written by hand.
    ignores: ["node_modules/", "dist/", "cdktf.out/", ".tmp/", ".local/", ".terraform-cli/", "modules/", ".cdktf.out.partial-*/", "coverage/", ".gen/"],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // A `let` read by a closure declared before its one assignment (e.g. a
      // reply helper that records the request once parsed) cannot be a `const`:
      // calling the closure earlier would hit the temporal dead zone.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // The plain JavaScript files are CommonJS run by node as they are
    // (scripts/*.js, jest.config.js, __tests__/setup.js, the deploy-actions
    // Lambda handler): require() is their module system.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The tests read parsed Terraform JSON, plans, state and AWS SDK replies
    // by key, deep and untyped, and build mocks of SDK clients: `any` there is
    // what the data is. The sources type it (unknown, interfaces, or the one
    // TerraformJson alias in constructs/terraform-json.ts).
    files: ["__tests__/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
