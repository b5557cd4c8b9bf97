// The language configuration: valid JSON, its patterns compile, and they do what the editor needs.
"use strict";
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const test = require("node:test");

const config = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "language-configuration.json"), "utf8"));

test("# is the line comment and ( ) the bracket pair", () => {
  assert.strictEqual(config.comments.lineComment, "#");
  assert.deepStrictEqual(config.brackets, [["(", ")"]]);
});

test("a chord, a slash chord and a numeral with a sharp are each one word", () => {
  const word = new RegExp(config.wordPattern, "g");
  const words = "  | C7(b9,#11) D7/F# | #ivm7b5 |   # comment".match(word);
  assert.deepStrictEqual(words, ["C7(b9,#11)", "D7/F#", "#ivm7b5", "comment"]);
});

test("Enter after a line of bars starts the next line with a bar line", () => {
  const [rule] = config.onEnterRules;
  const before = new RegExp(rule.beforeText);
  for (const line of ["  | Cm7 | F7 |", "  ending 1 | Gm6 | D7 |   # back", "  |: C | G7 :| x3"]) {
    assert.ok(before.test(line), line);
  }
  for (const line of ["section A", "  reverb hall -14LU", "form A B"]) {
    assert.ok(!before.test(line), line);
  }
  assert.strictEqual(rule.action.appendText, "| ");
});

test("a block header indents the line after it", () => {
  const indent = new RegExp(config.indentationRules.increaseIndentPattern);
  for (const line of ["section A", "  section intro minor", "arrange", "mix", "master", "melody theme for A",
                      "  pattern kit drums", "    level 2", "    fill", "      vary push at held",
                      'style local.x "A style"']) {
    assert.ok(indent.test(line), line);
  }
  for (const line of ["style jazz.swing", "master streaming", "form A B", "  | C |", "title \"x\""]) {
    assert.ok(!indent.test(line), line);
  }
});
