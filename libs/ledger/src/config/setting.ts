import { getMetadataStorage } from 'class-validator';

export interface SettingDoc {
  readonly name: string;
  readonly group: string;
  readonly description: string;
}

const settings: SettingDoc[] = [];

/** Marks a configuration property as a setting, with what it is for: the schema's one list of names. */
export function Setting(group: string, description: string): PropertyDecorator {
  return (_target, property) => void settings.push({ name: String(property), group, description });
}

/** Every setting's name, in the order the schema declares them. */
export const settingNames = (): string[] => settings.map((setting) => setting.name);

/** Every setting with its description. */
export const settingDocs = (): readonly SettingDoc[] => settings;

/** What a setting accepts, in words, from its class-validator constraints (the rules loadConfig applies). */
export function acceptedValues(target: object, name: string): string {
  const rules = getMetadataStorage()
    .getTargetValidationMetadatas(target as new () => object, '', true, false)
    .filter((rule) => rule.propertyName === name);
  const words: string[] = [];
  const constraint = (kind: string) => rules.find((rule) => rule.name === kind)?.constraints?.[0] as unknown;
  if (constraint('isIn')) words.push((constraint('isIn') as string[]).map((value) => `\`${value}\``).join(' \\| '));
  if (rules.some((rule) => rule.name === 'isBoolean')) words.push('`true` \\| `false`');
  if (rules.some((rule) => rule.name === 'isInt')) {
    const min = constraint('min');
    const max = constraint('max');
    words.push(`whole number${min !== undefined ? ` ≥ ${String(min)}` : ''}${max !== undefined ? `, ≤ ${String(max)}` : ''}`);
  }
  if (rules.some((rule) => rule.name === 'isUrl')) words.push('URL');
  if (rules.some((rule) => rule.name === 'matches')) words.push('text of a set form');
  if (constraint('minLength')) words.push(`text of ${String(constraint('minLength'))}+ characters`);
  if (!words.length) words.push('text');
  return words.join('; ');
}
