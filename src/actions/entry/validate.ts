import { main } from '../real-deps.ts';
import { runValidate } from '../validate.ts';

await main(runValidate);
