/**
 * Resource inventory in the documented layout, from files or written by the providers' inventory
 * sources (ec2inventory://, azureinventory://, gcpinventory://, each in its provider's folder).
 */
import type { Provider } from "../provider.ts";
import { inventoryResources } from "./formats.ts";

export const inventory: Provider = { id: "inventory", formats: [inventoryResources], sources: [] };
