/** Why a phase loop returned to the main loop. */
export type PhaseExit = 'phase_changed' | 'continue_as_new';
