import { main } from '../real-deps.ts';
import { runApply } from '../apply.ts';

await main(runApply);
