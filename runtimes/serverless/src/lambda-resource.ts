import type { EnvRecord } from '../../../src/config/env.js';
import type { Attributes } from '../../../src/model/attributes.js';
import type { Monitor } from '../../../src/monitor.js';

const MIB = 1024 * 1024;

/**
 * The resource attributes of an AWS Lambda function, from the variables the Lambda runtime sets
 * (semantic conventions, FaaS and AWS Lambda resource; the same as OpenTelemetry's Lambda
 * detector). Empty outside Lambda (no `AWS_LAMBDA_FUNCTION_NAME`).
 */
export function lambdaResource(env: EnvRecord | undefined): Attributes {
  const name = env?.AWS_LAMBDA_FUNCTION_NAME;
  if (typeof name !== 'string' || name === '') return {};
  const out: Attributes = { 'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda', 'faas.name': name };
  const set = (key: string, value: unknown): void => {
    if (typeof value === 'string' && value !== '') out[key] = value;
  };
  set('cloud.region', env!.AWS_REGION);
  set('faas.version', env!.AWS_LAMBDA_FUNCTION_VERSION);
  set('faas.instance', env!.AWS_LAMBDA_LOG_STREAM_NAME);
  // Lambda gives MiB; the convention asks for bytes.
  const memory = env!.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  if (typeof memory === 'string' && /^[1-9][0-9]{0,6}$/.test(memory)) out['faas.max_memory'] = Number(memory) * MIB;
  const group = env!.AWS_LAMBDA_LOG_GROUP_NAME;
  if (typeof group === 'string' && group !== '') out['aws.log.group.names'] = [group];
  return out;
}

/**
 * Adds the Lambda resource attributes the monitor's resource lacks: what code gives (resource,
 * serviceName) and OTEL_RESOURCE_ATTRIBUTES win over what is detected, as in OpenTelemetry's
 * SDK. Done when the function is wrapped, before anything is exported.
 */
export function addLambdaResource(monitor: Monitor, env: EnvRecord | undefined): void {
  const detected = lambdaResource(env);
  try {
    const attributes = monitor.resource.attributes;
    for (const key of Object.keys(detected)) if (!(key in attributes)) attributes[key] = detected[key]!;
  } catch {
    // a frozen resource keeps what it has
  }
}
