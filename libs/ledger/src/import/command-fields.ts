import 'reflect-metadata'; // class-transformer's @Type reads design types
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  CHANNELS,
  COMMAND_RECORDING,
  DECISIONS,
  DIRECTIONS,
  EXCLUSION_GROUNDS,
  PARTIES,
  REMEDY_TYPES,
  STAGES,
  TENURES,
  type PersonCommand,
} from '@complaint-ledger/domain';
import {
  dayRules,
  fieldErrorsOf,
  flagRules,
  instantRules,
  nestedListRules,
  nestedRules,
  oneOfRules,
  penceRules,
  residentReferenceRules,
  textListRules,
  textRules,
  type FieldError,
} from '../write/field-rules';

/**
 * The fields of each command the import takes, with the API's rules for each (write/field-rules.ts):
 * exactly the API's request DTOs (a test compares them rule by rule, apps/ledger-api/test/imports/),
 * less what the import fills in itself (a new complaint's id, from the row's complaint reference;
 * the remedy a completion names, from the landlord's remedy reference).
 */
export type Field =
  | { readonly type: 'instant'; readonly required: boolean }
  | { readonly type: 'day'; readonly required: boolean }
  | { readonly type: 'text'; readonly required: boolean; readonly maxLength: number }
  | { readonly type: 'residentReference' }
  | { readonly type: 'oneOf'; readonly values: readonly (string | number)[]; readonly required: boolean }
  | { readonly type: 'flag'; readonly required: boolean }
  | { readonly type: 'pence'; readonly required: boolean }
  | { readonly type: 'nested'; readonly fields: Fields; readonly required: boolean }
  | { readonly type: 'nestedList'; readonly fields: Fields; readonly maxItems: number }
  | { readonly type: 'textList'; readonly maxItems: number };
export type Fields = Readonly<Record<string, Field>>;

/** The kinds of fact a row can record: the commands that record facts people recorded (not corrections). */
export const IMPORT_KINDS = Object.values(COMMAND_RECORDING);
export type ImportKind = PersonCommand['type'];
type DataOf<K extends ImportKind> = Extract<PersonCommand, { type: K }>['data'];

const instant = (required = true): Field => ({ type: 'instant', required });
const day = (required = true): Field => ({ type: 'day', required });
const text = (required: boolean, maxLength: number): Field => ({ type: 'text', required, maxLength });
const oneOf = (values: readonly (string | number)[], required = true): Field => ({ type: 'oneOf', values, required });
const flag = (required = true): Field => ({ type: 'flag', required });

const REMEDY_TERMS = {
  type: oneOf(REMEDY_TYPES),
  description: text(true, 2000),
  amountPence: { type: 'pence', required: false },
  dueBy: day(false),
} as const satisfies Fields;

/** Every field of the command's data but `Omit`: the compiler insists on each, and on no other. */
/** Every field of a command's data but `Omit`, and documents: those are attached over HTTP one by one (their bytes are not in a row). */
type FieldsOf<K extends ImportKind, Omit extends string = never> = {
  readonly [F in Exclude<keyof DataOf<K>, Omit | 'documentIds'>]-?: Field;
};

export const COMMAND_FIELDS: {
  readonly ReceiveComplaint: FieldsOf<'ReceiveComplaint', 'complaintId'>;
  readonly CompleteRemedy: FieldsOf<'CompleteRemedy', 'remedyId'>;
} & { readonly [K in Exclude<ImportKind, 'ReceiveComplaint' | 'CompleteRemedy'>]: FieldsOf<K> } = {
  ReceiveComplaint: {
    receivedAt: instant(),
    channel: oneOf(CHANNELS),
    tenure: oneOf(TENURES),
    category: text(true, 100),
    summary: text(true, 5000),
    resident: {
      type: 'nested',
      required: true,
      fields: {
        reference: { type: 'residentReference' },
        name: text(false, 200),
        email: text(false, 320),
        phone: text(false, 50),
        address: text(false, 500),
      },
    },
    outcomeSought: text(false, 2000),
    representative: {
      type: 'nested',
      required: false,
      fields: { name: text(false, 200), relationship: text(false, 100), consentReceivedAt: instant(false) },
    },
    issueOccurredAt: instant(false),
    residentAwareAt: instant(false),
    relatedServiceRequest: text(false, 100),
  },
  AcknowledgeComplaint: {
    stage: oneOf(STAGES),
    acknowledgedAt: instant(),
    complaintDefinition: text(true, 5000),
    outcomesSought: text(false, 2000),
    handler: text(false, 100),
    responsibilityNotes: text(false, 2000),
  },
  ExtendDeadline: {
    stage: oneOf(STAGES),
    notifiedAt: instant(),
    newDeadline: day(),
    reason: text(true, 2000),
    ombudsmanDetailsGiven: flag(),
    goodReason: text(false, 2000),
  },
  EscalateComplaint: { requestedAt: instant(), reason: text(false, 2000) },
  RespondToComplaint: {
    stage: oneOf(STAGES),
    respondedAt: instant(),
    decision: oneOf(DECISIONS),
    reasons: text(false, 10000),
    remedies: { type: 'nestedList', fields: REMEDY_TERMS, maxItems: 20 },
    outstandingActions: { type: 'textList', maxItems: 50 },
    escalationRightsGiven: flag(),
    handler: text(false, 100),
  },
  OfferRemedy: { offeredAt: instant(), ...REMEDY_TERMS },
  CompleteRemedy: { completedAt: instant(), notes: text(false, 2000) },
  RecordNonAcceptance: {
    decidedAt: instant(),
    ground: oneOf(EXCLUSION_GROUNDS),
    explanation: text(true, 5000),
    ombudsmanRightExplained: flag(),
  },
  RefuseEscalation: {
    decidedAt: instant(),
    ground: oneOf(EXCLUSION_GROUNDS),
    explanation: text(true, 5000),
    ombudsmanRightExplained: flag(),
  },
  RecordCorrespondence: {
    occurredAt: instant(),
    direction: oneOf(DIRECTIONS),
    party: oneOf(PARTIES),
    channel: oneOf(CHANNELS),
    summary: text(true, 5000),
    documentRef: text(false, 200),
  },
  RecordReasonableAdjustment: {
    recordedAt: instant(),
    adjustment: text(true, 2000),
    disclosedNeeds: text(false, 2000),
    reviewBy: day(false),
  },
  AuthoriseRepresentative: { consentReceivedAt: instant(), name: text(false, 200), relationship: text(false, 100) },
  AssignHandler: { stage: oneOf(STAGES), assignedAt: instant(), handler: text(true, 100) },
  WithdrawComplaint: { withdrawnAt: instant(), reason: text(false, 2000) },
};

/** The field each kind's business date-time goes in: a row's `at`. */
export const TIME_FIELD: { readonly [K in ImportKind]: keyof DataOf<K> & string } = {
  ReceiveComplaint: 'receivedAt',
  AcknowledgeComplaint: 'acknowledgedAt',
  ExtendDeadline: 'notifiedAt',
  EscalateComplaint: 'requestedAt',
  RespondToComplaint: 'respondedAt',
  OfferRemedy: 'offeredAt',
  CompleteRemedy: 'completedAt',
  RecordNonAcceptance: 'decidedAt',
  RefuseEscalation: 'decidedAt',
  RecordCorrespondence: 'occurredAt',
  RecordReasonableAdjustment: 'recordedAt',
  AuthoriseRepresentative: 'consentReceivedAt',
  AssignHandler: 'assignedAt',
  WithdrawComplaint: 'withdrawnAt',
};

function rulesOf(field: Field, name: string): PropertyDecorator[] {
  switch (field.type) {
    case 'instant':
      return instantRules(field.required);
    case 'day':
      return dayRules(field.required);
    case 'text':
      return textRules(field.required, field.maxLength);
    case 'residentReference':
      return residentReferenceRules();
    case 'oneOf':
      return oneOfRules(field.values, field.required);
    case 'flag':
      return flagRules(field.required);
    case 'pence':
      return penceRules(field.required);
    case 'nested': {
      const type = classOf(name, field.fields);
      return nestedRules(() => type, field.required);
    }
    case 'nestedList': {
      const type = classOf(name, field.fields);
      return nestedListRules(() => type, field.maxItems);
    }
    case 'textList':
      return textListRules(field.maxItems);
  }
}

/** A class carrying the fields' rules, as the API's DTO carries them, for class-validator. */
export function classOf(name: string, fields: Fields): new () => object {
  const made = { [name]: class {} }[name]!;
  for (const [key, field] of Object.entries(fields)) for (const rule of rulesOf(field, `${name}_${key}`)) rule(made.prototype, key);
  return made;
}

const CLASSES = new Map<ImportKind, new () => object>(
  IMPORT_KINDS.map((kind) => [kind, classOf(`${kind}Data`, COMMAND_FIELDS[kind] as Fields)]),
);

/** Every broken rule of a command's data, as the API's validation would name them (unknown fields included). */
export function fieldErrorsIn(kind: ImportKind, data: object): FieldError[] {
  const instance = plainToInstance(CLASSES.get(kind)!, data);
  return fieldErrorsOf(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }));
}

/** The field a dotted path names (`resident.reference`, `remedies.0.type`), or undefined when the kind has none. */
export function fieldAt(kind: ImportKind, path: string): Field | undefined {
  let fields: Fields | undefined = COMMAND_FIELDS[kind] as Fields;
  let found: Field | undefined;
  const segments = path.split('.');
  for (let i = 0; i < segments.length; i++) {
    if (!fields) return undefined;
    found = fields[segments[i]!];
    if (!found) return undefined;
    fields = undefined;
    if (found.type === 'nested') fields = found.fields;
    else if (found.type === 'nestedList' || found.type === 'textList') {
      const index = segments[i + 1];
      if (index === undefined) continue;
      if (!/^\d+$/.test(index)) return undefined;
      i++;
      if (found.type === 'textList') {
        if (i !== segments.length - 1) return undefined;
        return { type: 'text', required: false, maxLength: 2000 };
      }
      fields = found.fields;
    }
  }
  return found;
}
