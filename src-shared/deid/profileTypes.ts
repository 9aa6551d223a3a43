// Shapes of the PS3.15 Annex E profile data (Table E.1-1) and of the options a user can switch on.

/** Basic Profile action codes as printed in Table E.1-1 (combinations are written with '/'). */
export type BasicAction = 'D' | 'Z' | 'X' | 'U' | 'Z/D' | 'X/Z' | 'X/D' | 'X/Z/D' | 'X/Z/U*';

/** Action codes that appear in the option columns. */
export type OptionAction = 'K' | 'C' | 'X';

export const OPTION_KEYS = [
  'retainSafePrivate',
  'retainUids',
  'retainDeviceIdentity',
  'retainInstitutionIdentity',
  'retainPatientCharacteristics',
  'retainLongitudinalFullDates',
  'retainLongitudinalModifiedDates',
  'cleanDescriptors',
  'cleanStructuredContent',
  'cleanGraphics',
] as const;

export type OptionKey = (typeof OPTION_KEYS)[number];

export interface ProfileRow {
  /** 'GGGGEEEE' upper-case hex; 'X' marks a wildcard digit (overlays 60XX, curves 50XX); 'GGGGEEEE' is the private-attributes row. */
  tag: string;
  name: string;
  basic: BasicAction;
  /** VR from the data dictionary ('' when the row spans several attributes). */
  vr: string;
  options: Partial<Record<OptionKey, OptionAction>>;
  /** Where the option cells came from before they were checked: the earlier-edition JSON, or the table's uniform rule. */
  optionsSource: 'innolitics' | 'derived';
  /**
   * The cells checked against the standard's text (current edition, profileSource/optionsCurrent.txt): 'agrees', 'fixed'
   * (they differed; `options` now holds the text's cells) or 'absent' (the row is not in that text; cells unchecked).
   */
  optionsCheck: 'agrees' | 'fixed' | 'absent';
}

/** The options of PS3.15 E.3 a de-identification run uses; Full Dates and Modified Dates are mutually exclusive. */
export type DeidOptions = Partial<Record<OptionKey, boolean>>;
