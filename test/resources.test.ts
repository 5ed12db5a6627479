/** The shared property helpers (components/resources.ts), on the shapes the engine hands over. */
import { describe, expect, it } from "vitest";
import { arrayOf, field, objectOf } from "../components/resources";
import { cases } from "./support/cases";

describe("field", () => {
  const inputs = { spec: { containers: [{ image: "a:1" }], replicas: 0 }, on: false, name: null };

  it.each(
    cases([
      [["spec", "containers", 0, "image"], "a:1"],
      [["spec", "containers", "0", "image"], "a:1"],
      [["spec", "replicas"], 0],
      [["on"], false],
      [["name"], null],
      [[], inputs],
    ] as [(string | number)[], unknown][]),
  )("reads %j", (path, value) => {
    expect(field(inputs, ...path)).toBe(value);
  });

  it.each(
    cases([
      ["a missing key", ["spec", "template"]],
      ["a step through null", ["name", "length"]],
      ["a step through a number", ["spec", "replicas", "toFixed"]],
      ["a step through a boolean", ["on", "valueOf"]],
      ["a step through a string", ["spec", "containers", 0, "image", "length"]],
    ] as [string, (string | number)[]][]),
  )("is undefined for %s", (_case, path) => {
    expect(field(inputs, ...path)).toBeUndefined();
  });
});

describe("arrayOf and objectOf", () => {
  it("keep arrays and plain objects, and nothing else", () => {
    expect(arrayOf([1, 2])).toEqual([1, 2]);
    for (const other of [undefined, null, "[1]", { 0: 1 }]) expect(arrayOf(other)).toEqual([]);
    expect(objectOf({ a: 1 })).toEqual({ a: 1 });
    for (const other of [undefined, null, "x", 1, [1], []]) expect(objectOf(other)).toBeUndefined();
  });
});
