import { Fn, TerraformStack, TerraformVariable, Token } from "cdktf";
import { escapeTerraformTemplate } from "../../constructs/escape";
import { checkMinItems, checkOneOf, checkPattern, checkRange, checkRetention, invalid, isUnresolved, LOG_RETENTION_DAYS } from "../../constructs/validation";
import { newStack } from "../helpers";

const numberVar = (stack: TerraformStack) => new TerraformVariable(stack, "n", { type: "number" }).numberValue;
const stringVar = (stack: TerraformStack) => new TerraformVariable(stack, "s", { type: "string" }).stringValue;
const listVar = (stack: TerraformStack) => new TerraformVariable(stack, "l", { type: "list(string)" }).listValue;

describe("isUnresolved", () => {
  test("is false for plain values, undefined and null", () => {
    for (const value of ["text", 3, [1, "a"], { a: 1 }, undefined, null, true]) {
      expect(isUnresolved(value)).toBe(false);
    }
  });

  test("is true for string, number and list tokens and for arrays holding a token", () => {
    const stack = newStack();
    expect(isUnresolved(stringVar(stack))).toBe(true);
    expect(isUnresolved(numberVar(stack))).toBe(true);
    expect(isUnresolved(listVar(stack))).toBe(true);
    expect(isUnresolved(["a", Fn.upper("b")])).toBe(true);
  });
});

describe("invalid", () => {
  test("writes the house format <setting> must be <rule>, got <value>: <fix>", () => {
    expect(invalid("Thing.size", "a whole number", 1.5, "round it").message).toBe("Thing.size must be a whole number, got 1.5: round it");
  });
});

describe("checkRange", () => {
  test("accepts whole numbers within the bounds, the bounds included", () => {
    expect(() => checkRange("x", 1, 1, 3)).not.toThrow();
    expect(() => checkRange("x", 3, 1, 3)).not.toThrow();
    expect(() => checkRange("x", undefined, 1, 3)).not.toThrow();
  });

  test("fails when the value is below or above the range", () => {
    expect(() => checkRange("Thing.port", 0, 1, 65535, "use a TCP port")).toThrow("Thing.port must be a whole number from 1 to 65535, got 0: use a TCP port");
    expect(() => checkRange("Thing.port", 65536, 1, 65535)).toThrow("Thing.port must be a whole number from 1 to 65535, got 65536: pick a value in that range");
  });

  test("fails when the value is not a whole number", () => {
    expect(() => checkRange("Thing.count", 1.5, 1, 3)).toThrow("Thing.count must be a whole number from 1 to 3, got 1.5: pick a value in that range");
  });

  test("does not check unresolved tokens", () => {
    expect(() => checkRange("Thing.count", numberVar(newStack()), 1, 3)).not.toThrow();
  });
});

describe("checkPattern", () => {
  test("accepts matching values and undefined", () => {
    expect(() => checkPattern("x", "abc", /^[a-z]+$/, "letters", "fix")).not.toThrow();
    expect(() => checkPattern("x", undefined, /^[a-z]+$/, "letters", "fix")).not.toThrow();
  });

  test("fails when the value does not match", () => {
    expect(() => checkPattern("Thing.name", "ABC", /^[a-z]+$/, "lowercase letters", "lower it")).toThrow(
      'Thing.name must be lowercase letters, got "ABC": lower it',
    );
  });

  test("does not check unresolved tokens", () => {
    expect(() => checkPattern("Thing.name", stringVar(newStack()), /^[a-z]+$/, "lowercase letters", "lower it")).not.toThrow();
  });
});

describe("checkOneOf", () => {
  test("accepts an allowed value and undefined", () => {
    expect(() => checkOneOf("x", "a", ["a", "b"])).not.toThrow();
    expect(() => checkOneOf<string>("x", undefined, ["a", "b"])).not.toThrow();
  });

  test("fails when the value is not allowed, listing the allowed values", () => {
    expect(() => checkOneOf<string>("Thing.mode", "c", ["a", "b"])).toThrow('Thing.mode must be one of "a", "b", got "c": use one of the allowed values');
  });

  test("does not check unresolved tokens", () => {
    expect(() => checkOneOf<string>("Thing.mode", stringVar(newStack()), ["a", "b"])).not.toThrow();
  });
});

describe("checkRetention", () => {
  test("accepts every retention CloudWatch Logs accepts", () => {
    for (const days of LOG_RETENTION_DAYS) expect(() => checkRetention("x", days)).not.toThrow();
    expect(() => checkRetention("x", undefined)).not.toThrow();
  });

  test("fails when the retention is not one CloudWatch Logs accepts", () => {
    expect(() => checkRetention("Thing.logRetentionInDays", 10)).toThrow(
      /^Thing.logRetentionInDays must be one of the retentions CloudWatch Logs accepts \(1, 3, 5, 7, 14, 30, .*, 3653\), got 10: pick the nearest accepted value$/,
    );
  });

  test("does not check unresolved tokens", () => {
    expect(() => checkRetention("Thing.logRetentionInDays", numberVar(newStack()))).not.toThrow();
  });
});

describe("checkMinItems", () => {
  test("accepts lists long enough and undefined", () => {
    expect(() => checkMinItems("x", ["a"], 1, "fix")).not.toThrow();
    expect(() => checkMinItems("x", undefined, 1, "fix")).not.toThrow();
  });

  test("fails when the list is too short", () => {
    expect(() => checkMinItems("Thing.subnets", ["a"], 2, "give two")).toThrow('Thing.subnets must be a list of at least 2 item(s), got ["a"]: give two');
  });

  test("does not check unresolved lists", () => {
    expect(() => checkMinItems("Thing.subnets", listVar(newStack()), 2, "give two")).not.toThrow();
  });
});

describe("escapeTerraformTemplate", () => {
  test("doubles the $ of ${ and the % of %{ so Terraform keeps them literally", () => {
    expect(escapeTerraformTemplate("http://${stageVariables.host}/x")).toBe("http://$${stageVariables.host}/x");
    expect(escapeTerraformTemplate("%{ if a }b%{ endif }")).toBe("%%{ if a }b%%{ endif }");
    expect(escapeTerraformTemplate('"${REPOSITORY_URI%%/*}"')).toBe('"$${REPOSITORY_URI%%/*}"');
  });

  test("leaves text without template sequences alone", () => {
    expect(escapeTerraformTemplate("$context.connectionId {x} 100%")).toBe("$context.connectionId {x} 100%");
  });

  test("leaves cdktf tokens (references to other resources) intact", () => {
    const token = Token.asString(Fn.upper("x"));
    expect(escapeTerraformTemplate(token)).toBe(token);
    expect(escapeTerraformTemplate(`${token}/\${a}`)).toBe(`${token}/$\${a}`);
  });
});
