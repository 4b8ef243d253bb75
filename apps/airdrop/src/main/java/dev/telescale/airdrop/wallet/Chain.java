package dev.telescale.airdrop.wallet;

/** The chains whose wallet addresses the airdrop accepts. */
public enum Chain {
    /** Ethereum and the chains that share its 20-byte addresses (EIP-55 checksum). */
    EVM,
    /** The Open Network: user-friendly (EQ…/UQ…) or raw ({@code 0:<hex>}) addresses. */
    TON,
    /** Solana: a 32-byte public key in base58. */
    SOLANA
}
