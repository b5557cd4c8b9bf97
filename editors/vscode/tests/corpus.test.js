// Every .song file in the repository (the specs, their style library, the bundled styles) tokenizes
// without an `invalid.illegal` scope, and every block hands control back at its last line: the top
// level sees each top-level statement at column 0 with only `source.song` around it.
"use strict";
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const test = require("node:test");
const oniguruma = require("vscode-oniguruma");
const textmate = require("vscode-textmate");

const ROOT = path.resolve(__dirname, "..", "..", "..");
const GRAMMAR = path.resolve(__dirname, "..", "syntaxes", "song.tmLanguage.json");

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () => textmate.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR),
  });
  return registry.loadGrammar("source.song");
}

function songFiles() {
  const found = [];
  for (const folder of ["specs", "specs/lib", "stdlib"]) {
    for (const name of fs.readdirSync(path.join(ROOT, folder)).sort()) {
      if (name.endsWith(".song")) found.push(path.join(folder, name));
    }
  }
  return found;
}

function tokenize(grammar, text) {
  let stack = textmate.INITIAL;
  return text.split("\n").map((line) => {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return { line, tokens: result.tokens };
  });
}

test("the repository's songs and styles hold no invalid token", async () => {
  const grammar = await loadGrammar();
  const files = songFiles();
  assert.ok(files.length >= 30, `only ${files.length} .song files found under ${ROOT}`);
  for (const file of files) {
    tokenize(grammar, fs.readFileSync(path.join(ROOT, file), "utf8")).forEach(({ line, tokens }, n) => {
      if (/^[^\s#]/.test(line)) {  // a top-level statement: every block above it has ended
        assert.strictEqual(tokens[0].scopes.length, 2, `${file}:${n + 1}: '${line}' starts inside ` +
          tokens[0].scopes.join(" "));
      }
      for (const token of tokens) {
        const invalid = token.scopes.find((scope) => scope.startsWith("invalid."));
        assert.ok(!invalid, `${file}:${n + 1}:${token.startIndex + 1}: ${invalid} on ` +
          `'${line.slice(token.startIndex, token.endIndex)}'`);
      }
    });
  }
});

test("a block ends at the first line back at its indentation", async () => {
  const grammar = await loadGrammar();
  const lines = tokenize(grammar, "section A\n  | C |\n\n# note\nform A\n");
  const form = lines[4].tokens[0];
  assert.deepStrictEqual(form.scopes, ["source.song", "keyword.other.form.song"]);
  const bar = lines[1].tokens.find((token) => lines[1].line.slice(token.startIndex, token.endIndex) === "C");
  assert.ok(bar.scopes.includes("constant.other.chord.song"), bar.scopes.join(" "));
});
