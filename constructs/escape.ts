/**
 * Escapes `${` and `%{` so Terraform passes a string through literally
 * (stage variables in URLs, Velocity's formal `${var}` notation, shell
 * parameter expansion), while leaving cdktf tokens (references to other
 * resources) intact.
 */
export function escapeTerraformTemplate(value: string): string {
  return value.replace(/([$%])\{(?!TfToken\[)/g, "$1$1{");
}
