import { main } from '../real-deps.ts';
import { runDrift } from '../drift.ts';

await main(runDrift);
