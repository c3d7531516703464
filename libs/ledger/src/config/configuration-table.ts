import { LedgerConfig } from './ledger-config';
import { acceptedValues, settingDocs } from './setting';

/**
 * docs/configuration.md, generated from the schema (`npm run docs:config`); a test fails when the
 * file in the repository differs from what the schema gives.
 */
export function configurationTable(): string {
  const defaults = new LedgerConfig() as unknown as Record<string, unknown>;
  const groups = [...new Set(settingDocs().map((setting) => setting.group))];
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from libs/ledger/src/config/ledger-config.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'Every setting comes from the environment and is validated when a process starts: a bad value, or a',
    '`LEDGER_*` name that is not a setting (with the closest one suggested), stops it with a message naming it.',
    '',
  ];
  for (const group of groups) {
    lines.push(`## ${group}`, '', '| setting | default | accepts | what it does |', '| --- | --- | --- | --- |');
    for (const { name, description } of settingDocs().filter((setting) => setting.group === group)) {
      const fallback = defaults[name];
      const shown = fallback === undefined || fallback === '' ? '—' : `\`${String(fallback)}\``;
      lines.push(`| \`${name}\` | ${shown} | ${acceptedValues(LedgerConfig, name)} | ${description} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
