/**
 * `gridsync sync --tenant T [--once] [--json]`: a tenant sync now. Without --once it is queued in the store,
 * for whichever worker of `gridsync serve` claims it first; with --once it runs in this process against the
 * tenant's CRM, and the exit code is its outcome.
 */
import { secretFromEnvironment } from '../config/secrets.ts';
import { tenantContextFor } from '../main.ts';
import { syncTenantNow, type TenantSyncReport } from '../sync/sync-tenant-now.ts';
import {
  EXIT,
  loadMappings,
  openDeployment,
  parseCommand,
  printJson,
  requireTenant,
  runCommand,
  UsageError,
} from './cli-support.ts';

const USAGE = `usage: gridsync sync --tenant T [--once] [--json]

  Without --once: queue a sync of the tenant (re-score its active accounts, retry what is due, re-check AE
  tasks) in the configured store; a running \`gridsync serve\` takes it within seconds.
  With --once: run that sync here, plus every grid not yet synced, and exit with its outcome.

  --tenant   tenant id (mappings/<tenant>.yaml)
  --once     sync in this process and wait for the outcome
  --json     print the outcome as JSON

exit codes: 0 queued, or (--once) everything synced; 1 something did not sync (the reasons are printed);
            2 usage or configuration (unknown tenant, invalid environment)
`;

export function syncCommand(args: string[]): Promise<number> {
  return runCommand('sync', USAGE, async () => {
    const parsed = parseCommand(
      args,
      { tenant: { type: 'string' }, once: { type: 'boolean' }, json: { type: 'boolean' } },
      USAGE,
    );
    if (!parsed) return EXIT.ok;
    const tenant = parsed.values.tenant;
    if (tenant === undefined) throw new UsageError('--tenant is required');
    const deployment = await openDeployment();
    try {
      const secrets = secretFromEnvironment();
      const mappings = await loadMappings(deployment, secrets);
      requireTenant(mappings, tenant, deployment.config.GRIDSYNC_MAPPINGS_DIR);
      if (parsed.values.once !== true) {
        const at = new Date();
        const tick = `manual:${at.toISOString()}`;
        await deployment.store.enqueue([
          {
            kind: 'tenant.sync',
            tenant,
            key: `tenant.sync:${tenant}:${tick}`,
            once: true,
            payload: { tick },
          },
        ]);
        if (parsed.values.json === true) {
          printJson({ tenant, queued: true, key: `tenant.sync:${tenant}:${tick}` });
        } else {
          process.stdout.write(
            `queued a sync of ${tenant}; a running gridsync serve takes it within seconds\n`,
          );
        }
        return EXIT.ok;
      }
      const runtime = tenantContextFor({
        config: deployment.config,
        mappings,
        secrets,
        logger: deployment.logger,
        tenant,
      });
      if (!runtime) throw new UsageError(`tenant ${tenant} has no mapping`);
      const report = await syncTenantNow(
        { store: deployment.store, logger: deployment.logger, now: () => new Date() },
        runtime,
      );
      if (parsed.values.json === true) printJson(report);
      else printReport(report);
      return report.failures.length === 0 ? EXIT.ok : EXIT.failed;
    } finally {
      await deployment.close();
    }
  });
}

function printReport(report: TenantSyncReport): void {
  const out = process.stdout;
  const mode = report.mode === 'dry_run' ? ' (dry-run: writes planned, not sent)' : '';
  // A grid that failed was tried, not synced: the count says so rather than calling every grid synced.
  const failedGrids = report.failures.filter((f) => f.subject.kind === 'grid').length;
  const grids = failedGrids === 0 ? `${report.grids}` : `${report.grids - failedGrids} of ${report.grids}`;
  out.write(`${report.tenant}: ${report.accounts} account(s) refreshed, ${grids} grid(s) synced${mode}\n`);
  if (report.deadLetters.length > 0) {
    out.write(
      `  ${report.deadLetters.length} dead letter(s) left alone: see gridsync deadletters list --tenant ${report.tenant}\n`,
    );
  }
  if (report.failures.length === 0) return;
  out.write(`${report.failures.length} did not sync:\n`);
  for (const f of report.failures) {
    out.write(
      `  ${f.subject.kind} ${f.subject.id} (${f.outcome === 'dead' ? 'refused for good' : 'temporary'}): ${f.error}\n`,
    );
  }
}
