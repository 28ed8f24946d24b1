import { configure } from '@testing-library/dom';

/**
 * findBy…/waitFor wait for an outcome, not a speed: Testing Library's default of 1 s is not
 * enough on a 2-core CI machine that runs these beside the server tests.
 */
configure({ asyncUtilTimeout: 10_000 });
