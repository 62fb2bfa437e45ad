# Every golden-path module stamps the same tags: the cost-allocation tag
# (whose value is the owning entity's ref, read by FinOps) and the owner.
variable "name" {
  description = "Resource name, unique within the owning component."
  type        = string
}

variable "entity_ref" {
  description = "Catalog ref of the owning entity, e.g. component:default/cart-service."
  type        = string
}

variable "owner" {
  description = "Catalog ref of the owning group, e.g. group:default/team-checkout."
  type        = string
}

variable "cost_allocation_tag" {
  description = "Tag key FinOps attributes cost by (finops.costAllocationTag)."
  type        = string
  default     = "portal-entity-ref"
}

locals {
  tags = {
    (var.cost_allocation_tag) = var.entity_ref
    owner                     = var.owner
    team                      = split("/", var.owner)[length(split("/", var.owner)) - 1]
    managed-by                = "golden-path"
  }
}
