// What every client command needs to reach a cluster, from its flags (which parseFlags has
// already filled from the config file and the environment): the endpoints (`--endpoints` and
// each `--node`, in order; GEN_PAXOS_ENDPOINTS), the client credential file (GEN_PAXOS_SECRET_FILE),
// the cluster name (GEN_PAXOS_CLUSTER) and the CA (GEN_PAXOS_TLS_CA).
import type { ClientOptions } from '../transport/client/client.js';
import {
  DEFAULT_CLUSTER,
  integerFlag,
  listFlag,
  nodeUrl,
  readSecretFile,
  readTextFile,
  stringFlag,
  type FlagValues,
} from './args.js';
import { UsageError } from './exitCodes.js';

export interface ClientSettings {
  readonly endpoints: readonly string[];
  readonly options: ClientOptions;
}

/** The endpoints, in order, without repeats; each checked like a URL. */
export function endpointsOf(values: FlagValues): string[] {
  const listed = (stringFlag(values, 'endpoints') ?? '')
    .split(',')
    .map((raw) => raw.trim())
    .filter((raw) => raw.length > 0)
    .map((raw) => nodeUrl(raw, '--endpoints'));
  const single = listFlag(values, 'node').map((raw) => nodeUrl(raw, '--node'));
  const endpoints = [...new Set([...listed, ...single])];
  if (endpoints.length === 0)
    throw new UsageError('needs --endpoints URL[,URL...] (or --node URL, or GEN_PAXOS_ENDPOINTS)');
  return endpoints;
}

export function clientSettings(values: FlagValues): ClientSettings {
  const endpoints = endpointsOf(values);
  const secretFile = stringFlag(values, 'secret-file');
  if (secretFile === undefined || secretFile === '')
    throw new UsageError('needs --secret-file FILE (or GEN_PAXOS_SECRET_FILE)');
  const secret = readSecretFile(secretFile);
  const ca = stringFlag(values, 'tls-ca');
  const connectTimeoutRaw = stringFlag(values, 'connect-timeout-ms');
  return {
    endpoints,
    options: {
      secret,
      cluster: stringFlag(values, 'cluster') ?? DEFAULT_CLUSTER,
      ...(ca ? { ca: readTextFile(ca, '--tls-ca') } : {}),
      ...(connectTimeoutRaw !== undefined
        ? { connectTimeoutMs: integerFlag(connectTimeoutRaw, 'connect-timeout-ms', 5000, 1, 600_000) }
        : {}),
    },
  };
}
