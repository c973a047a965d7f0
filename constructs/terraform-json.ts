/**
 * Terraform JSON read by key: a block of a synthesized stack (`cdk.tf.json`,
 * a resource's resolved configuration), a module's files, `terraform show
 * -json` state or plan output, a cdktf manifest. Its shape is whatever the
 * provider schema and Terraform make it, known to no TypeScript type, and the
 * code that reads it checks the values it uses.
 *
 * The one `any` of the sources (ESLint's no-explicit-any is on everywhere
 * else): typing every block of the AWS provider's schema would add nothing
 * the checks at the reading sites do not already do.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TerraformJson = Record<string, any>;
