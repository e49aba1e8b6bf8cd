import { describe, expect, it } from 'vitest';
import { functionMemoryMb } from '../../../../harness/target/aws/template.js';

describe('functionMemoryMb', () => {
  it('follows the FunctionName output to its function', () => {
    const template = {
      Resources: {
        Other: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 1024 } },
        Handler: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 256 } },
      },
      Outputs: { FunctionName: { Value: { Ref: 'Handler' } } },
    };

    expect(functionMemoryMb(template)).toBe(256);
  });

  it('matches a literal function name, and uses Lambda’s 128 MB default when MemorySize is absent', () => {
    const template = {
      Resources: { Handler: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'rda-a-fn' } } },
      Outputs: { FunctionName: { Value: 'rda-a-fn' } },
    };

    expect(functionMemoryMb(template)).toBe(128);
  });

  it('is undefined when the output does not lead to a function', () => {
    expect(
      functionMemoryMb({
        Resources: { Logs: { Type: 'AWS::Logs::LogGroup' } },
        Outputs: { FunctionName: { Value: { Ref: 'Logs' } } },
      }),
    ).toBeUndefined();
    expect(functionMemoryMb({})).toBeUndefined();
  });
});
