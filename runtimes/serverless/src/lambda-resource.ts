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
 * The standard resource attributes a Vercel function's environment gives (`VERCEL` set; the system
 * variables Vercel exposes at runtime): `deployment.environment.name` from `VERCEL_ENV`
 * (`production`, `preview`, `development`) and `deployment.id` from `VERCEL_DEPLOYMENT_ID`.
 * `cloud.provider` has no semantic-conventions value for Vercel, and `VERCEL_REGION` (`iad1`) is
 * no region of a provider the conventions name, so neither is set; on Vercel's Node.js runtime,
 * which runs on AWS Lambda, `lambdaResource` gives `cloud.*` and `faas.*` from Lambda's own
 * variables. Netlify exposes only `URL`, `SITE_NAME` and `SITE_ID` to its functions, none of them a
 * conventions attribute (its functions run on Lambda too).
 */
export function vercelResource(env: EnvRecord | undefined): Attributes {
  const flag = env?.VERCEL;
  if (typeof flag !== 'string' || flag === '' || flag === '0') return {};
  const out: Attributes = {};
  const stage = env!.VERCEL_ENV;
  if (typeof stage === 'string' && stage !== '') out['deployment.environment.name'] = stage;
  const id = env!.VERCEL_DEPLOYMENT_ID;
  if (typeof id === 'string' && id !== '') out['deployment.id'] = id;
  return out;
}

/**
 * Adds the Lambda (and Vercel) resource attributes the monitor's resource lacks: what code gives (resource,
 * serviceName) and OTEL_RESOURCE_ATTRIBUTES win over what is detected, as in OpenTelemetry's
 * SDK. Done when the function is wrapped, before anything is exported.
 */
export function addLambdaResource(monitor: Monitor, env: EnvRecord | undefined): void {
  const detected = { ...vercelResource(env), ...lambdaResource(env) };
  try {
    const attributes = monitor.resource.attributes;
    for (const key of Object.keys(detected)) if (!(key in attributes)) attributes[key] = detected[key]!;
  } catch {
    // a frozen resource keeps what it has
  }
}
