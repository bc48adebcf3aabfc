/**
 * Temporal Cloud does not let a namespace's clients register search attributes through
 * OperatorService (AddSearchAttributes is refused); they are added with the Cloud tooling
 * instead: `tcld namespace search-attributes add --namespace <ns> --search-attribute Name=Type`,
 * or the Cloud UI. This module decides when that applies (a Cloud address, or the server
 * refusing the call) and prints the exact tcld command for the attributes still missing.
 */
import { grpcStatus, grpcStatusOf } from './grpc-status.js';

/** A search attribute as the SDK spells it (`defineSearchAttributeKey`: type `KEYWORD`, `INT`, …). */
export interface SearchAttributeDefinition {
  name: string;
  type: string;
}

/** tcld's type names (tcld `--search-attribute "Name=Type"`). */
const tcldTypes: Record<string, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

const cloudHost = /\.(tmprl\.cloud|api\.temporal\.io)(:\d+)?$/i;

/** `<ns>.<account>.tmprl.cloud:7233` (mTLS/namespace endpoint) or `<region>.<cloud>.api.temporal.io:7233` (API keys). */
export function isTemporalCloudAddress(address: string): boolean {
  return cloudHost.test(address.trim());
}

/** The server refused OperatorService.AddSearchAttributes (as Temporal Cloud does), as opposed to failing. */
export function isOperatorServiceRefusal(err: unknown): boolean {
  const code = grpcStatusOf(err)?.code;
  return code === grpcStatus.PERMISSION_DENIED || code === grpcStatus.UNIMPLEMENTED;
}

function tcldType(type: string): string {
  const known = tcldTypes[type.toUpperCase()];
  if (!known) throw new TypeError(`search attribute type ${type} has no tcld equivalent`);
  return known;
}

/** The one tcld command that adds these attributes (tcld refuses the whole command if one already exists). */
export function tcldAddSearchAttributesCommand(namespace: string, attributes: readonly SearchAttributeDefinition[]): string {
  const flags = attributes.map((attribute) => `--search-attribute "${attribute.name}=${tcldType(attribute.type)}"`);
  return ['tcld namespace search-attributes add', `--namespace ${namespace}`, ...flags].join(' ');
}

export type CloudRegistrationReason = 'cloud-address' | 'refused';

/**
 * What the registration command prints instead of registering: why, and the commands to
 * run. `missing` should be the attributes the namespace lacks (all of them when unknown).
 */
export function cloudRegistrationInstructions(
  options: { address: string; namespace: string; missing: readonly SearchAttributeDefinition[]; reason: CloudRegistrationReason },
): string {
  const { address, namespace, missing, reason } = options;
  if (missing.length === 0) return `all search attributes already exist on ${address}/${namespace}`;
  const why =
    reason === 'cloud-address'
      ? `${address} is Temporal Cloud, which refuses search attribute registration through OperatorService.`
      : `${address} refused search attribute registration through OperatorService (as Temporal Cloud does).`;
  const lines = [
    why,
    `Add ${missing.map((attribute) => attribute.name).join(', ')} to namespace ${namespace} with tcld (after \`tcld login\`):`,
    `  ${tcldAddSearchAttributesCommand(namespace, missing)}`,
    'or in the Temporal Cloud UI: Namespaces → the namespace → Custom Search Attributes.',
  ];
  if (reason === 'refused') {
    // Not Cloud by its address (a private endpoint, or a self-hosted server with an authorizer).
    lines.push(
      'On a self-hosted server, an administrator can run instead:',
      ...missing.map(
        (attribute) => `  temporal operator search-attribute create --namespace ${namespace} --name ${attribute.name} --type ${tcldType(attribute.type)}`,
      ),
    );
  }
  return lines.join('\n');
}
