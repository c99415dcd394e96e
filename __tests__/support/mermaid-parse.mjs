// Parses Mermaid files with Mermaid itself, as a code host renders them: one
// line per file, "ok <type>" or "error <message>". Mermaid needs a DOM (DOMPurify), hence jsdom.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");

for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(file, "utf8"));
    console.log(`ok ${result.diagramType}`);
  } catch (error) {
    console.log(`error ${String(error.message).split("\n").join(" ")}`);
  }
}
