/**
 * Facts the AWS target reads from a synthesized assembly before deploying it: the function's memory
 * size (as deployed, for the report) and whether the stack asks for termination protection.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: Record<string, unknown>;
}

interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { readonly Value?: unknown }>;
}

/** Lambda's default when a function declares no MemorySize. */
const LAMBDA_DEFAULT_MEMORY_MB = 128;

/**
 * Memory of the function that output `FunctionName` names: the output's `Ref` (or literal name) leads to
 * the resource. Undefined when the template has no such output or function.
 */
export function functionMemoryMb(template: Template): number | undefined {
  const resources = template.Resources ?? {};
  const value = template.Outputs?.FunctionName?.Value;
  let fn: TemplateResource | undefined;
  if (typeof value === 'object' && value !== null && 'Ref' in value) {
    fn = resources[String((value as { Ref: unknown }).Ref)];
  } else if (typeof value === 'string') {
    fn = Object.values(resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.FunctionName === value,
    );
  }
  if (fn?.Type !== 'AWS::Lambda::Function') return undefined;
  const memory = Number(fn.Properties?.MemorySize ?? LAMBDA_DEFAULT_MEMORY_MB);
  return Number.isFinite(memory) ? memory : undefined;
}

/** Reads and parses a template file. */
export async function readTemplate(templatePath: string): Promise<Template> {
  return JSON.parse(await readFile(templatePath, 'utf8')) as Template;
}

/** True when the assembly's manifest asks CloudFormation to protect the stack from deletion. */
export async function assemblyWantsTerminationProtection(outdir: string, stackArtifactId: string): Promise<boolean> {
  const manifest = JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { properties?: { terminationProtection?: boolean } }>;
  };
  return manifest.artifacts?.[stackArtifactId]?.properties?.terminationProtection === true;
}
