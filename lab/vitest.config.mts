import { defineConfig } from 'vitest/config';
import { lecternTestConfig } from '../vitest.shared.mjs';

export default defineConfig(lecternTestConfig(import.meta.dirname));
