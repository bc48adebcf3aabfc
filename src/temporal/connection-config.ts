/**
 * The Temporal connection paycall's processes use (web, worker, launcher, CLIs), from the
 * environment and optionally a `temporal.toml` profile, through @temporalio/envconfig: the
 * same variables and file the Temporal CLI and every SDK read (docs/production-temporal.md).
 *
 * envconfig itself accepts a lot silently (a missing TEMPORAL_CONFIG_FILE, `TEMPORAL_TLS=yes`
 * read as false, a client certificate without its key, an API key sent in plaintext,
 * TEMPORAL_TLS_DISABLE_HOST_VERIFICATION ignored), so everything is checked first and each
 * problem becomes one line naming the variable, or the TOML key, profile and file.
 *
 * A config file is read only when TEMPORAL_CONFIG_FILE or TEMPORAL_PROFILE is set: a server
 * process must not pick up a developer's ~/.config/temporalio/temporal.toml by accident.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions } from '@temporalio/client';
import { loadClientConfig, loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { checkCertificate, checkPrivateKey, keyMatchesCertificate, type PemSource } from './tls-material.js';
import { settingNames, type SettingNames, type SettingSources } from './connection-settings.js';

export class TemporalConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'TemporalConfigError';
  }
}

export interface TemporalConnectionConfig {
  /** `host:port` (port 7233 when none was given). */
  address: string;
  namespace: string;
  /** For `Connection.connect` (@temporalio/client): web, launcher, CLIs. */
  connectOptions: ConnectionOptions;
  /** For `NativeConnection.connect` (@temporalio/worker): the worker. */
  nativeConnectOptions: NativeConnectionOptions;
  tls: boolean;
  /** Subject of the client certificate when mTLS is configured. */
  clientCertificate?: string;
  serverName?: string;
  customServerCa: boolean;
  apiKey: boolean;
  profile?: { name: string; file: string };
  /** The address is a Temporal Cloud endpoint (`*.tmprl.cloud`, `*.api.temporal.io`). */
  temporalCloud: boolean;
  /** How to name each setting in a message (the variable, or the TOML key and file). */
  names: SettingNames;
  /** One line without secrets: address, namespace, TLS, mTLS, API key, profile. */
  describe(): string;
}

type Env = Record<string, string | undefined>;

/** Settings that point paycall at a server other than its embedded dev server. */
const serverSettings = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
];

/**
 * True when the environment names a Temporal server (an address, profile, config file, API
 * key, certificate or `TEMPORAL_TLS=true`); otherwise paycall runs its embedded dev server.
 * Deliberately broad: a key or certificate without an address is a mistake to report, not a
 * reason to fall back to the dev server silently.
 */
export function isTemporalConfigured(env: Env = process.env): boolean {
  const clean = presentTemporalVariables(env);
  return serverSettings.some((name) => clean[name] !== undefined) || clean.TEMPORAL_TLS === 'true' || clean.TEMPORAL_TLS === '1';
}

/** TEMPORAL_* variables with a value; `VAR=` in a .env file means unset (gRPC metadata aside, where it removes a header). */
function presentTemporalVariables(env: Env): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TEMPORAL_') || value === undefined) continue;
    if (value.trim() === '' && !name.startsWith('TEMPORAL_GRPC_META_')) continue;
    // PEM text (`_DATA`) and header values stay as written; names, paths and keys lose stray spaces.
    clean[name] = name.startsWith('TEMPORAL_GRPC_META_') || name.endsWith('_DATA') ? value : value.trim();
  }
  return clean;
}

/** Where envconfig (and the Temporal CLI) look for temporal.toml. */
export function defaultConfigFilePath(env: Env = process.env): string | undefined {
  if (process.platform === 'win32') return env.APPDATA ? path.join(env.APPDATA, 'temporalio', 'temporal.toml') : undefined;
  if (process.platform === 'darwin') {
    const home = env.HOME ?? os.homedir();
    return home ? path.join(home, 'Library', 'Application Support', 'temporalio', 'temporal.toml') : undefined;
  }
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : undefined;
  const home = env.HOME ?? os.homedir();
  const base = configHome ?? (home ? path.join(home, '.config') : undefined);
  return base ? path.join(base, 'temporalio', 'temporal.toml') : undefined;
}

const cloudHost = /\.(tmprl\.cloud|api\.temporal\.io)$/i;
const hostPort = /^(?<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?::(?<port>\d{1,5}))?$/;

/** Loads and checks the configured connection; throws TemporalConfigError with one line per problem. */
export function loadTemporalConnection(env: Env = process.env): TemporalConnectionConfig {
  const vars = presentTemporalVariables(env);
  const problems: string[] = [];
  const fail = (): never => {
    throw new TemporalConfigError(problems);
  };

  for (const name of ['TEMPORAL_TLS', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION']) {
    const value = vars[name];
    // envconfig reads anything but "1"/"true" as false: "TRUE" or "yes" would turn TLS off.
    if (value !== undefined && !['true', 'false', '1', '0'].includes(value)) problems.push(`${name}=${value}: must be true or false`);
  }
  if (vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === 'true' || vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === '1') {
    problems.push(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION=true: not supported by the Temporal TypeScript SDK (it would be ignored); set TEMPORAL_TLS_SERVER_NAME to a name in the server certificate instead',
    );
  }

  // The config file and profile.
  const configFile = vars.TEMPORAL_CONFIG_FILE ?? (vars.TEMPORAL_PROFILE ? defaultConfigFilePath(env) : undefined);
  const fileVariable = vars.TEMPORAL_CONFIG_FILE ? `TEMPORAL_CONFIG_FILE=${configFile}` : `the default config file ${configFile}`;
  let profileName: string | undefined;
  let fileProfile: ClientConfigProfile | undefined;
  if (vars.TEMPORAL_PROFILE && !configFile) {
    problems.push(`TEMPORAL_PROFILE=${vars.TEMPORAL_PROFILE}: no config file to read it from (set TEMPORAL_CONFIG_FILE)`);
  }
  if (configFile) {
    if (!existsSync(configFile)) {
      problems.push(
        vars.TEMPORAL_CONFIG_FILE
          ? `TEMPORAL_CONFIG_FILE=${configFile}: no such file`
          : `TEMPORAL_PROFILE=${vars.TEMPORAL_PROFILE}: there is no config file at ${configFile} (set TEMPORAL_CONFIG_FILE)`,
      );
      fail();
    }
    let profiles: Record<string, ClientConfigProfile>;
    try {
      profiles = loadClientConfig({ configSource: { path: configFile }, configFileStrict: true }).profiles;
    } catch (err) {
      problems.push(`${fileVariable}: ${describeFileError(err)}`);
      return fail();
    }
    profileName = vars.TEMPORAL_PROFILE ?? 'default';
    fileProfile = Object.hasOwn(profiles, profileName) ? profiles[profileName] : undefined;
    if (!fileProfile) {
      const known = Object.keys(profiles);
      const choices = known.length ? `profiles there: ${known.join(', ')}` : 'it has no profiles';
      problems.push(
        vars.TEMPORAL_PROFILE
          ? `TEMPORAL_PROFILE=${profileName}: no such profile in ${configFile} (${choices})`
          : `${fileVariable}: has no profile "default" (${choices}); set TEMPORAL_PROFILE`,
      );
      fail();
    }
  }
  if (problems.length) fail();

  const sources: SettingSources = { env: vars, fileProfile, profileName, configFile };
  const names = settingNames(sources);

  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({
      ...(configFile ? { configSource: { path: configFile }, profile: profileName } : { disableFile: true }),
      configFileStrict: true,
      overrideEnvVars: vars,
    });
  } catch (err) {
    // A `_PATH` from one place and a `_DATA` from the other, merged by envconfig.
    const both = /Cannot specify both (\w+)_path and \w+_data/.exec((err as Error).message);
    problems.push(both ? `${names.bothPathAndData(both[1]!)}: both set; keep one` : `${fileVariable}: ${describeFileError(err)}`);
    return fail();
  }

  // Address and namespace.
  const address = profile.address;
  let normalizedAddress = '';
  let host = '';
  if (address === undefined || address === '') {
    problems.push(
      fileProfile
        ? `TEMPORAL_ADDRESS: not set, and profile "${profileName}" in ${configFile} has no address`
        : 'TEMPORAL_ADDRESS: not set (the other Temporal settings need an address, e.g. TEMPORAL_ADDRESS=temporal.example.com:7233)',
    );
  } else if (typeof address !== 'string') {
    problems.push(`${names.address()}: must be a string like "host:7233"`);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) {
    problems.push(`${names.address()}: write host:port without a scheme, e.g. ${address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '')}`);
  } else {
    const match = hostPort.exec(address);
    const port = match?.groups?.port === undefined ? 7233 : Number(match.groups.port);
    if (!match?.groups?.host || port < 1 || port > 65535) {
      problems.push(`${names.address()}: not a host:port address (e.g. temporal.example.com:7233)`);
    } else {
      host = match.groups.host;
      normalizedAddress = `${host}:${port}`;
    }
  }
  const namespace = profile.namespace ?? 'default';
  if (typeof namespace !== 'string' || namespace.trim() === '') problems.push(`${names.namespace()}: must not be empty`);
  const temporalCloud = cloudHost.test(host);

  // API key and TLS.
  const apiKey = profile.apiKey;
  const tlsConfig = profile.tls;
  const tlsOff = tlsConfig?.disabled === true;
  const tls = tlsConfig !== undefined ? !tlsOff : apiKey !== undefined;
  if (apiKey !== undefined) {
    if (typeof apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(apiKey)) {
      problems.push(`${names.apiKey()}: must be one line of printable characters without spaces (as Temporal Cloud issues them)`);
    }
    if (tlsOff) {
      problems.push(
        `${names.apiKey()} is set but ${names.tlsDisabled()} turns TLS off: the key would be sent in plaintext (and Temporal Cloud refuses plaintext); remove ${names.tlsDisabled()} (an API key turns TLS on)`,
      );
    }
  }
  const grpcMeta = profile.grpcMeta ?? {};
  if (apiKey !== undefined && Object.keys(grpcMeta).some((key) => key.toLowerCase() === 'authorization')) {
    problems.push(`${names.apiKey()} and an "authorization" gRPC header (${names.grpcMeta('authorization')}) are both set; keep one`);
  }
  if (tlsOff) {
    for (const [field, set] of [
      ['serverName', tlsConfig?.serverName],
      ['serverCACert', tlsConfig?.serverCACert],
      ['clientCert', tlsConfig?.clientCert],
      ['clientKey', tlsConfig?.clientKey],
    ] as const) {
      if (set !== undefined) problems.push(`${names.tls(field)} is set but ${names.tlsDisabled()} turns TLS off; remove one of them`);
    }
  }
  if (temporalCloud && !tls) {
    problems.push(
      `${names.address()}: Temporal Cloud accepts only TLS: set TEMPORAL_API_KEY, or TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH${tlsOff ? `, and remove ${names.tlsDisabled()}` : ''}`,
    );
  }
  if (temporalCloud && typeof namespace === 'string' && !namespace.includes('.')) {
    problems.push(`${names.namespace()}: a Temporal Cloud namespace is <name>.<account id> (e.g. payments.a1b2c), not "${namespace}"`);
  }

  // TLS files.
  let clientCertificate: string | undefined;
  let customServerCa = false;
  const serverName = tlsConfig?.serverName;
  if (tls && tlsConfig) {
    if (serverName !== undefined && !hostPort.test(serverName)) problems.push(`${names.tls('serverName')}: not a host name`);
    if (tlsConfig.serverCACert) {
      customServerCa = true;
      const ca = checkCertificate(tlsConfig.serverCACert as PemSource, names.tls('serverCACert'));
      if (ca.problem) problems.push(ca.problem);
    }
    const { clientCert, clientKey } = tlsConfig;
    if (clientCert && !clientKey) problems.push(`${names.tls('clientCert')} is set without a key: set ${names.tlsPair('clientKey')} too`);
    if (clientKey && !clientCert) problems.push(`${names.tls('clientKey')} is set without a certificate: set ${names.tlsPair('clientCert')} too`);
    const cert = clientCert ? checkCertificate(clientCert as PemSource, names.tls('clientCert')) : undefined;
    const key = clientKey ? checkPrivateKey(clientKey as PemSource, names.tls('clientKey')) : undefined;
    if (cert?.problem) problems.push(cert.problem);
    if (key?.problem) problems.push(key.problem);
    if (cert?.value && key?.value) {
      if (keyMatchesCertificate(cert.value.certificate, key.value)) clientCertificate = cert.value.subject;
      else problems.push(`${names.tls('clientKey')}: is not the key of the certificate in ${names.tls('clientCert')}`);
    }
  }
  if (problems.length) fail();

  // All checked: envconfig turns the profile into SDK options (it reads the files itself).
  const { connectionOptions } = toClientOptions(profile);
  const metadata = Object.keys(grpcMeta).length ? grpcMeta : undefined;
  const common = { address: normalizedAddress, ...(apiKey !== undefined ? { apiKey } : {}), ...(metadata ? { metadata } : {}) };
  const sdkTls = connectionOptions.tls ?? (tls ? true : undefined);
  const config: TemporalConnectionConfig = {
    address: normalizedAddress,
    namespace,
    connectOptions: { ...common, tls: sdkTls },
    nativeConnectOptions: { ...common, tls: sdkTls },
    tls,
    ...(clientCertificate ? { clientCertificate } : {}),
    ...(serverName ? { serverName } : {}),
    customServerCa,
    apiKey: apiKey !== undefined,
    ...(configFile && profileName ? { profile: { name: profileName, file: configFile } } : {}),
    temporalCloud,
    names,
    describe: () => describeConnection(config),
  };
  return config;
}

/** The embedded dev server's connection, in the same shape (plaintext, no credentials). */
export function devServerConnection(address: string, namespace = 'default'): TemporalConnectionConfig {
  const config: TemporalConnectionConfig = {
    address,
    namespace,
    connectOptions: { address },
    nativeConnectOptions: { address },
    tls: false,
    customServerCa: false,
    apiKey: false,
    temporalCloud: false,
    names: settingNames({ env: {}, fileProfile: undefined, profileName: undefined, configFile: undefined }),
    describe: () => `Temporal ${address} (embedded dev server), namespace ${namespace}, no TLS`,
  };
  return config;
}

function describeConnection(config: TemporalConnectionConfig): string {
  const tls = config.tls
    ? `TLS (${config.customServerCa ? 'server CA from config' : 'system CAs'}${config.serverName ? `, server name ${config.serverName}` : ''})`
    : 'no TLS';
  const parts = [
    `Temporal ${config.address}${config.temporalCloud ? ' (Temporal Cloud)' : ''}`,
    `namespace ${config.namespace}`,
    tls,
    config.clientCertificate ? `mTLS client certificate ${config.clientCertificate}` : 'no client certificate',
    config.apiKey ? 'API key set' : 'no API key',
  ];
  if (config.profile) parts.push(`profile ${config.profile.name} from ${config.profile.file}`);
  return parts.join(', ');
}

function describeFileError(err: unknown): string {
  const message = (err as Error).message ?? String(err);
  if ((err as Error).name === 'TomlError' || message.startsWith('Invalid TOML document')) {
    const { line, column } = err as { line?: number; column?: number };
    const reason = message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    return `not valid TOML: ${reason}${line ? ` (line ${line}${column ? `, column ${column}` : ''})` : ''}`;
  }
  const unknown = /^Validation error: key\(s\) unrecognized(?: in (\S+))?: (.+)$/.exec(message);
  if (unknown) {
    const where = unknown[1] ? `[${unknown[1]}]` : 'the top level';
    const hostVerification = /disable_host_verification/.test(unknown[2]!)
      ? ' (disable_host_verification is not supported by the TypeScript SDK: set tls.server_name instead)'
      : '';
    return `unknown key ${unknown[2]} in ${where}${hostVerification}`;
  }
  const both = /Cannot specify both (\w+)_path and \w+_data/.exec(message);
  if (both) return `tls.${both[1]}_path and tls.${both[1]}_data are both set; keep one`;
  return message.replace(/^Validation error: /, '').split('\n')[0]!;
}
