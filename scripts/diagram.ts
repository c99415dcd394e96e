import { writeFileSync } from "node:fs";
import { CommandSpec, commandConfig, Output, runCommand } from "../lib/cli";
import { mermaidDiagram } from "../lib/diagram";

const OPTIONS = {
  out: { type: "string", short: "o" },
  markdown: { type: "boolean" },
} as const;

export const DIAGRAM_COMMAND: CommandSpec<typeof OPTIONS> = {
  name: "diagram",
  synopsis: "[config] [--out <file>] [--markdown]",
  positionals: [0, 1],
  options: OPTIONS,
  help: `Writes a Mermaid flowchart of a config: accounts and regions, the destination
per region, stream, Firehose, processor and bucket, with the names the stacks use.
Paste it into a pull request (GitHub and GitLab render \`\`\`mermaid blocks) so
reviewers see what a config change does.

  [config]         config file (default: $SECLOG_CONFIG, else config/logging.yaml)
  -o, --out        write to this file instead of stdout
  --markdown       wrap the diagram in a \`\`\`mermaid fence

Exit codes: 0 written, 1 config file problem, 2 bad arguments.`,
};

export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out?: Output): number {
  return runCommand(
    DIAGRAM_COMMAND,
    argv,
    ({ values, positionals: [file] }) => {
      const diagram = mermaidDiagram(commandConfig(file, env).config);
      const text = values.markdown ? `\`\`\`mermaid\n${diagram}\`\`\`\n` : diagram;
      if (!values.out) return text;
      writeFileSync(values.out, text);
      return `wrote ${values.out}\n`;
    },
    out,
  );
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
