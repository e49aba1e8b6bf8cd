/**
 * Faults moto_server cannot produce, injected as SDK middleware on one client so everything else still
 * goes to moto: moto deletes a stack synchronously and has no DELETE_FAILED status (its delete_stack
 * either succeeds or raises), and it never throttles.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFormationServiceException } from '@aws-sdk/client-cloudformation';

/** What the injected middleware saw. */
export interface DeleteFaults {
  /** Inputs of every DeleteStack the harness sent, failed or not. */
  readonly deleteInputs: Record<string, unknown>[];
}

/**
 * The first `times` DeleteStack requests "are accepted" but end in DELETE_FAILED: they never reach moto,
 * and until the next DeleteStack, DescribeStacks reports DELETE_FAILED and ListStackResources marks
 * `failedLogicalId` DELETE_FAILED, as CloudFormation does when a resource will not go.
 */
export function injectDeleteFailed(client: CloudFormationClient, times: number, failedLogicalId: string): DeleteFaults {
  const faults: DeleteFaults = { deleteInputs: [] };
  let remaining = times;
  let failing = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (context.commandName === 'DeleteStackCommand') {
        faults.deleteInputs.push({ ...input });
        failing = remaining > 0;
        if (failing) {
          remaining--;
          return { output: { $metadata: {} }, response: {} };
        }
      }
      const result = await next(args);
      if (!failing) return result;
      const output = result.output as unknown as Record<string, unknown>;
      if (context.commandName === 'DescribeStacksCommand') {
        for (const stack of (output.Stacks ?? []) as Record<string, unknown>[]) {
          stack.StackStatus = 'DELETE_FAILED';
          stack.StackStatusReason = `The following resource(s) failed to delete: [${failedLogicalId}]. `;
        }
      }
      if (context.commandName === 'ListStackResourcesCommand') {
        for (const summary of (output.StackResourceSummaries ?? []) as Record<string, unknown>[]) {
          if (summary.LogicalResourceId !== failedLogicalId) continue;
          summary.ResourceStatus = 'DELETE_FAILED';
          summary.ResourceStatusReason = 'injected by the test: resource is in use';
        }
      }
      return result;
    },
    { step: 'initialize', name: 'injectDeleteFailed' },
  );
  return faults;
}

/** The first `times` DeleteStack requests fail with `Throttling: Rate exceeded`, before the SDK's own retries see them. */
export function injectDeleteThrottling(client: CloudFormationClient, times: number): { throttled: () => number } {
  let throttled = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteStackCommand' && throttled < times) {
        throttled++;
        throw new CloudFormationServiceException({
          name: 'Throttling',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Rate exceeded',
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectDeleteThrottling' },
  );
  return { throttled: () => throttled };
}
