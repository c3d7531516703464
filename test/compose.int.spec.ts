import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@complaint-ledger/ledger';

/**
 * docker-compose.yml as the compose CLI renders it (`config` needs no Docker engine): the layout
 * `docker compose up --scale ledger-api=3` needs, and what the deployment promises (TLS to
 * KurrentDB, the signing key as a secret, a witness volume, complaint affinity at the proxy).
 * Either CLI will do: the Docker CLI's plugin (`docker compose`) or v1 (`docker-compose`, Debian's).
 */
const ROOT = join(__dirname, '..');
const cli = ((): string[] | null => {
  for (const command of [['docker', 'compose'], ['docker-compose']])
    if (spawnSync(command[0]!, [...command.slice(1), 'version'], { stdio: 'ignore' }).status === 0) return command;
  return null;
})();
if (!cli)
  process.stderr.write(
    '\n[skipped] docker-compose.yml: no compose CLI here (neither `docker compose` nor `docker-compose`); `apt-get install docker-compose` gives one\n',
  );

/** The file rendered with `env` over this process's environment (a name given as undefined is removed). */
function render(env: Record<string, string | undefined>) {
  const merged = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined));
  return spawnSync(cli![0]!, [...cli!.slice(1), '-f', 'docker-compose.yml', 'config'], { cwd: ROOT, env: merged, encoding: 'utf8' });
}

type Mount = { type: string; source: string; target: string; readOnly: boolean };
type Service = {
  image?: string;
  container_name?: string;
  ports?: (string | { published?: string | number; target: number })[];
  expose?: (string | number)[];
  tmpfs?: string | string[];
  volumes?: (string | { type: string; source?: string; target: string; read_only?: boolean })[];
  secrets?: (string | { source: string; target?: string })[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  command?: string | string[];
  entrypoint?: string | string[];
};

/** The service's mounts whatever the CLI's rendering (v1 writes `source:target:mode`, v2 objects). */
const mounts = (service: Service): Mount[] =>
  (service.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string')
      return { type: volume.type, source: volume.source ?? '', target: volume.target, readOnly: !!volume.read_only };
    const [source, target, mode] = volume.split(':') as [string, string, string?];
    return { type: source.startsWith('/') ? 'bind' : 'volume', source, target, readOnly: mode === 'ro' };
  });
const secretsOf = (service: Service) => (service.secrets ?? []).map((secret) => (typeof secret === 'string' ? secret : secret.source));
const published = (service: Service) =>
  (service.ports ?? []).map((port) => (typeof port === 'string' ? port : `${port.published ?? ''}:${port.target}`));

(cli ? describe : describe.skip)('docker-compose.yml, as the compose CLI renders it', () => {
  let services: Record<string, Service>;
  let volumes: Record<string, unknown>;
  let secrets: Record<string, { file: string }>;
  beforeAll(() => {
    const rendered = render({ KURRENTDB_ADMIN_PASSWORD: 'a1b2c3d4e5f6a1b2c3d4e5f6' });
    expect(rendered.stderr).not.toMatch(/error/i);
    expect(rendered.status).toBe(0);
    ({ services, volumes, secrets } = parse(rendered.stdout) as {
      services: Record<string, Service>;
      volumes: Record<string, unknown>;
      secrets: Record<string, { file: string }>;
    });
  });

  it('scales the API: no host port, no name of its own, its read models on tmpfs rather than a volume every replica would share', () => {
    const api = services['ledger-api']!;
    expect(api.ports ?? []).toEqual([]);
    expect(api.container_name).toBeUndefined();
    expect([api.tmpfs].flat()).toContain('/app/data');
    expect(mounts(api).filter((mount) => mount.target.startsWith('/app/data'))).toEqual([]);
    expect(api.expose?.map(String)).toEqual(['3000']);
  });

  it('puts a proxy in front, on the port the API had, keeping each complaint on one replica by the hash of its id in the path', () => {
    const proxy = services.proxy!;
    expect(proxy.image).toMatch(/^nginx:1\.(2[89]|[3-9]\d)/); // `resolve` in an upstream: nginx 1.27.3 and later
    expect(published(proxy)).toEqual(['3000:8080']);
    expect(mounts(proxy)).toEqual([expect.objectContaining({ target: '/etc/nginx/nginx.conf', readOnly: true })]);
    const conf = readFileSync(mounts(proxy)[0]!.source, 'utf8');
    expect(conf).toMatch(/~\^\/v1\/complaints\/\(\?<complaint>\[\^\/\?\]\+\)\s+\$complaint;/);
    expect(conf).toMatch(/hash \$affinity consistent;/);
    expect(conf).toMatch(/server ledger-api:3000 resolve/);
    expect(conf).toMatch(/resolver 127\.0\.0\.11 /); // Docker's DNS: every replica's address
    expect(conf).toMatch(/listen 8080;/);
  });

  it("keeps documents on one volume every ledger process mounts, never on the replicas' tmpfs", () => {
    for (const name of ['ledger-api', 'ledger-worker']) {
      const service = services[name]!;
      const path = service.environment!.LEDGER_DOCUMENTS_PATH!;
      expect(mounts(service).find((mount) => mount.target === path)).toMatchObject({ type: 'volume', source: 'ledger-documents' });
    }
    expect(volumes).toHaveProperty('ledger-documents');
  });

  it('authenticates events in every process that writes the log: the same event key, as a secret', () => {
    for (const name of ['ledger-api', 'ledger-worker']) {
      const service = services[name]!;
      expect(secretsOf(service)).toContain('ledger-event-key');
      expect(service.environment!.LEDGER_EVENT_KEY_FILE).toBe('/run/secrets/ledger-event-key');
    }
    expect(secrets['ledger-event-key']!.file).toMatch(/deploy\/secrets\/event-key$/);
  });

  it('gives the worker the signing key as a secret, and a witness volume apart from its data', () => {
    const worker = services['ledger-worker']!;
    expect(secretsOf(worker)).toContain('ledger-signing-key');
    expect(worker.environment!.LEDGER_SIGNING_KEY_FILE).toBe('/run/secrets/ledger-signing-key');
    expect(secrets['ledger-signing-key']!.file).toMatch(/deploy\/secrets\/signing-key\.pem$/);
    const witness = mounts(worker).find((mount) => worker.environment!.LEDGER_CHECKPOINT_WITNESS_FILE!.startsWith(`${mount.target}/`));
    expect(witness).toMatchObject({ type: 'volume', source: 'ledger-witness' });
    expect(mounts(worker).find((mount) => mount.target === '/app/data')?.source).not.toBe('ledger-witness');
    expect(volumes).toHaveProperty('ledger-witness');
    expect(secretsOf(services['ledger-api']!)).not.toContain('ledger-signing-key'); // the API signs nothing
  });

  it('runs KurrentDB with TLS, its certificates made once by a one-off service, and the ledger connects with the KurrentDB client and the CA', () => {
    const kurrentdb = services.kurrentdb!;
    expect(kurrentdb.image).toMatch(/^kurrentplatform\/kurrentdb:(2[5-9]|[3-9]\d)\./); // what @kurrent/kurrentdb-client supports
    expect(kurrentdb.environment).not.toHaveProperty('KURRENTDB_INSECURE');
    expect(kurrentdb.environment).toMatchObject({
      KURRENTDB_CERTIFICATE_FILE: expect.stringMatching(/\.crt$/),
      KURRENTDB_CERTIFICATE_PRIVATE_KEY_FILE: expect.stringMatching(/\.key$/),
      KURRENTDB_TRUSTED_ROOT_CERTIFICATES_PATH: expect.any(String),
      KURRENTDB_DEFAULT_ADMIN_PASSWORD: 'a1b2c3d4e5f6a1b2c3d4e5f6',
    });
    expect(kurrentdb.depends_on?.['kurrentdb-certs']).toEqual({ condition: 'service_completed_successfully' });
    const certs = services['kurrentdb-certs']!;
    expect(certs.image).toMatch(/es-gencert-cli/);
    expect(certs.restart).toBe('no');
    for (const name of ['ledger-api', 'ledger-worker']) {
      const service = services[name]!;
      const url = new URL(service.environment!.EVENTSTORE_CONNECTION_STRING!);
      expect(url.protocol).toBe('kurrentdb:');
      expect(url.searchParams.get('tls')).toBe('true');
      const ca = mounts(service).find((mount) => url.searchParams.get('tlsCAFile')!.startsWith(`${mount.target}/`));
      expect(ca).toMatchObject({ source: 'kurrentdb-ca', readOnly: true });
      expect(mounts(certs).map((mount) => mount.source)).toContain('kurrentdb-ca');
    }
  });

  it("gives every ledger process settings the ledger accepts (no unknown name, no bad value, the connection string its client's)", () => {
    for (const name of ['ledger-api', 'ledger-worker']) {
      const environment = Object.fromEntries(Object.entries(services[name]!.environment!).map(([key, value]) => [key, value ?? '']));
      expect(() => loadConfig(environment)).not.toThrow();
    }
  });

  it('refuses to render without the KurrentDB admin password', () => {
    const rendered = render({ KURRENTDB_ADMIN_PASSWORD: undefined });
    expect(rendered.status).not.toBe(0);
    expect(rendered.stderr).toMatch(/set KURRENTDB_ADMIN_PASSWORD/);
  });
});
