import type { LabeledText } from '../src/nlu/training-data';

/**
 * Bitext rows with their placeholders written the ways other datasets and real
 * customers write them (other bracket styles, concrete values), chosen by row
 * index so every run sees the same text. Measures robustness to placeholder
 * style on the validation split, which no training row ever had.
 */
const RESTYLES: Readonly<Record<string, readonly string[]>> = {
  'Order Number': ['[Order Number]', '<order_number>', '{order_id}', 'ORDER_NUMBER', '#ORD-77812', '100000000002', '4471-2290-1183', 'A-20931'],
  'Invoice Number': ['[Invoice Number]', '<invoice_number>', 'INV-20231', '#100234'],
  'Person Name': ['[Person Name]', '<name>', 'Maria Lopez', 'John'],
  'Refund Amount': ['[Refund Amount]', '45.20', '120', '{amount}'],
  'Currency Symbol': ['$', '€', '[Currency Symbol]', ''],
  'Account Type': ['[Account Type]', 'premium', 'business', '<account_type>'],
  'Account Category': ['[Account Category]', 'gold', 'standard', '{account_category}'],
  'Delivery City': ['[Delivery City]', 'Leeds', 'Toronto', '<city>'],
  'Delivery Country': ['[Delivery Country]', 'Canada', 'Spain', '<country>'],
};

export function restyle(rows: LabeledText[]): LabeledText[] {
  return rows
    .filter((r) => r.text.includes('{{'))
    .map((r, i) => ({ ...r, text: r.text.replace(/\{\{([^}]+)\}\}/g, (whole, name: string) => RESTYLES[name]?.[i % RESTYLES[name].length] ?? whole) }));
}
