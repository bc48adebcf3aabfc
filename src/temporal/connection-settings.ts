/**
 * Names a Temporal connection setting the way the user wrote it, for one-line start-up
 * problems: the environment variable (with its value when it is not a secret), or the TOML
 * key with its profile and file. Environment variables override the profile key by key, as
 * in @temporalio/envconfig, so the variable wins when both are set.
 */
import type { ClientConfigProfile } from '@temporalio/envconfig';

export interface SettingSources {
  /** TEMPORAL_* variables that have a value. */
  env: Record<string, string>;
  fileProfile: ClientConfigProfile | undefined;
  profileName: string | undefined;
  configFile: string | undefined;
}

export type TlsField = 'serverName' | 'serverCACert' | 'clientCert' | 'clientKey';

export interface SettingNames {
  address(): string;
  namespace(): string;
  apiKey(): string;
  /** What turned TLS off (`TEMPORAL_TLS=false`, or `tls.disabled = true` in a profile). */
  tlsDisabled(): string;
  tls(field: TlsField): string;
  /** The setting to add for the missing half of a certificate/key pair, in the same style. */
  tlsPair(field: 'clientCert' | 'clientKey'): string;
  grpcMeta(header: string): string;
  /** Both a `_PATH` and a `_DATA` form of `client_cert` / `client_key` / `server_ca_cert`. */
  bothPathAndData(tomlPrefix: string): string;
  /** What turned TLS on (for "this server does not speak TLS"); an API key does. */
  tlsEnabledBy(): string;
}

const tlsEnv: Record<TlsField, string> = {
  serverName: 'TEMPORAL_TLS_SERVER_NAME',
  serverCACert: 'TEMPORAL_TLS_SERVER_CA_CERT',
  clientCert: 'TEMPORAL_TLS_CLIENT_CERT',
  clientKey: 'TEMPORAL_TLS_CLIENT_KEY',
};
const tlsToml: Record<TlsField, string> = {
  serverName: 'tls.server_name',
  serverCACert: 'tls.server_ca_cert',
  clientCert: 'tls.client_cert',
  clientKey: 'tls.client_key',
};
const tomlPrefixField: Record<string, TlsField> = { client_cert: 'clientCert', client_key: 'clientKey', server_ca_cert: 'serverCACert' };

export function settingNames({ env, fileProfile, profileName, configFile }: SettingSources): SettingNames {
  const inProfile = `(profile ${profileName} in ${configFile})`;
  const plainEnv = (name: string) => (env[name] !== undefined ? `${name}=${env[name]}` : undefined);
  const toml = (key: string, value: unknown) => (typeof value === 'string' ? `${key} = "${value}" ${inProfile}` : `${key} ${inProfile}`);

  /** A PEM setting: its env variable (path shown, data not), else its TOML key. */
  const pem = (field: Exclude<TlsField, 'serverName'>): string | undefined => {
    const base = tlsEnv[field];
    if (env[`${base}_PATH`] !== undefined) return `${base}_PATH=${env[`${base}_PATH`]}`;
    if (env[`${base}_DATA`] !== undefined) return `${base}_DATA`;
    const source = fileProfile?.tls?.[field];
    if (source && 'path' in source) return toml(`${tlsToml[field]}_path`, source.path);
    if (source) return `${tlsToml[field]}_data ${inProfile}`;
    return undefined;
  };

  const names: SettingNames = {
    address: () => plainEnv('TEMPORAL_ADDRESS') ?? (fileProfile?.address !== undefined ? toml('address', fileProfile.address) : 'TEMPORAL_ADDRESS'),
    namespace: () =>
      plainEnv('TEMPORAL_NAMESPACE') ?? (fileProfile?.namespace !== undefined ? toml('namespace', fileProfile.namespace) : 'TEMPORAL_NAMESPACE'),
    apiKey: () => (env.TEMPORAL_API_KEY !== undefined || fileProfile?.apiKey === undefined ? 'TEMPORAL_API_KEY' : `api_key ${inProfile}`),
    tlsDisabled: () =>
      plainEnv('TEMPORAL_TLS') ?? (fileProfile?.tls?.disabled !== undefined ? `tls.disabled = ${fileProfile.tls.disabled} ${inProfile}` : 'TEMPORAL_TLS'),
    tls: (field) => {
      if (field === 'serverName') {
        return plainEnv(tlsEnv.serverName) ?? (fileProfile?.tls?.serverName !== undefined ? toml(tlsToml.serverName, fileProfile.tls.serverName) : tlsEnv.serverName);
      }
      return pem(field) ?? `${tlsEnv[field]}_PATH`;
    },
    tlsPair: (field) => {
      const partner: TlsField = field === 'clientCert' ? 'clientKey' : 'clientCert';
      const partnerName = pem(partner) ?? '';
      const suffix = /_DATA\b|_data\b/.test(partnerName) ? 'DATA' : 'PATH';
      if (partnerName.startsWith('TEMPORAL_') || !partnerName) return `${tlsEnv[field]}_${suffix}`;
      return `${tlsToml[field]}_${suffix.toLowerCase()} ${inProfile}`;
    },
    grpcMeta: (header) => {
      const envName = Object.keys(env).find((name) => name.startsWith('TEMPORAL_GRPC_META_') && name.slice(19).toLowerCase().replace('_', '-') === header);
      return envName ?? `grpc_meta.${header} ${inProfile}`;
    },
    bothPathAndData: (tomlPrefix) => {
      const field = tomlPrefixField[tomlPrefix] ?? 'clientCert';
      const where = (form: 'path' | 'data') => {
        const envName = `${tlsEnv[field]}_${form.toUpperCase()}`;
        return env[envName] !== undefined ? envName : `${tlsToml[field]}_${form} ${inProfile}`;
      };
      return `${where('path')} and ${where('data')}`;
    },
    tlsEnabledBy: () => {
      if (env.TEMPORAL_TLS === 'true' || env.TEMPORAL_TLS === '1') return `TEMPORAL_TLS=${env.TEMPORAL_TLS}`;
      for (const field of ['serverCACert', 'clientCert', 'serverName'] as const) {
        const name = field === 'serverName' ? plainEnv(tlsEnv.serverName) : pem(field);
        if (name) return name;
      }
      if (env.TEMPORAL_API_KEY !== undefined) return 'TEMPORAL_API_KEY';
      if (fileProfile?.tls) return `[profile.${profileName}.tls] in ${configFile}`;
      if (fileProfile?.apiKey !== undefined) return `api_key ${inProfile}`;
      return 'TEMPORAL_TLS';
    },
  };
  return names;
}
