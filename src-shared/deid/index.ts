// Public surface of the de-identification engine.
export { createDeidContext, deidentifyBytes, deidentifyTree, type DeidContext, type DeidFileReport, type SafePrivateAttribute } from './deidentify';
export { assessBurnedIn, redactPixelData, type BurnedInAssessment, type Rect, type RedactionOutcome } from './burnedIn';
export { createUidRemapper, patientDateOffsetDays, type UidRemapper } from './uidRemap';
export { PROFILE_EDITION, PROFILE_ROWS } from './profileTable';
export { OPTION_KEYS, type DeidOptions, type OptionKey, type ProfileRow } from './profileTypes';
export { CID_7050 } from './conformance';
export { SAFE_PRIVATE_ATTRIBUTES, SAFE_PRIVATE_SOURCE, type SafePrivateCondition } from './safePrivate';
export { parseRedactionRegions, RedactionRegionsSchema, regionsFor, type ImageKey, type RedactionRegions } from './redactionRegions';
