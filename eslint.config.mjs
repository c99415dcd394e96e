// ESLint flat config: typescript-eslint's recommended rules over every
// TypeScript file we own. Formatting is Prettier's job (`npm run format:check`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "cdktf.out/",
      "dist/",
      "coverage/",
      "reports/",
      ".stryker-tmp*/",
      "**/*.js",
      "**/*.cjs",
      "**/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      // Unused names are already compile errors (tsconfig noUnusedLocals/Parameters); `_` marks intent.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Tests read synthesized Terraform JSON, which has no static type.
    files: ["__tests__/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The synth benchmark times module loading, so it requires modules where the clock says.
    files: ["bench/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
