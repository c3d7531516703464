/** The closed vocabularies of the HTTP contract, shared by commands, events and DTOs. */
export const CHANNELS = ['phone', 'email', 'letter', 'in_person', 'web', 'social_media', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export const TENURES = ['LCRA', 'LCHO'] as const;
export type Tenure = (typeof TENURES)[number];

export const STAGES = [1, 2] as const;

export const DECISIONS = ['upheld', 'partly_upheld', 'not_upheld'] as const;
export type Decision = (typeof DECISIONS)[number];

export const REMEDY_TYPES = [
  'apology',
  'explanation',
  'action',
  'financial',
  'decision_changed',
  'record_amended',
  'policy_change',
  'other',
] as const;
export type RemedyType = (typeof REMEDY_TYPES)[number];

/**
 * The largest amount one remedy may carry: £10,000,000, in pence. Far above any award, and low
 * enough that the sum of every remedy a landlord could ever record stays an exact integer in a
 * JavaScript number (below 2^53 pence) in statistics and reports.
 */
export const MAX_REMEDY_PENCE = 1_000_000_000;

export const EXCLUSION_GROUNDS = ['over_12_months', 'legal_proceedings', 'previously_considered', 'other'] as const;
export type ExclusionGround = (typeof EXCLUSION_GROUNDS)[number];

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const PARTIES = ['resident', 'representative', 'contractor', 'ombudsman', 'other'] as const;
export type Party = (typeof PARTIES)[number];

/** What a document attached to a complaint is (Code 5.12: correspondence, reports, surveys, supporting documents). */
export const DOCUMENT_KINDS = [
  'letter_to_resident',
  'letter_from_resident',
  'third_party_correspondence',
  'report',
  'survey',
  'photo',
  'other',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * The media types a document may have: PDF, images, e-mail, Office documents and plain text. The
 * edge tells them from the bytes (their magic numbers), never from a file's name.
 */
export const DOCUMENT_MEDIA_TYPES = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/tiff',
  'message/rfc822',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/x-ole-storage',
  'text/plain',
] as const;
export type DocumentMediaType = (typeof DOCUMENT_MEDIA_TYPES)[number];

/** The deadlines the Code sets on a complaint (compliance/deadlines computes them). */
export type DeadlineKind = 'acknowledgement' | 'stage1Response' | 'stage2Acknowledgement' | 'stage2Response' | 'remedy';
