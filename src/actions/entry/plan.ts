import { main } from '../real-deps.ts';
import { runPlan } from '../plan.ts';

await main(runPlan);
